import { maskPhone, type Notifier } from '../../notifier.ts';
import { withRetry } from '../send-retry.ts';
import type { SmsNotifierDeps } from '../sms-notifier.deps.ts';
import type { TwilioSmsConfig } from '../sms-providers.config.ts';
import { networkError, SmsSendError } from '../sms-send.error.ts';

export const TWILIO_CHANNEL = 'twilio-sms';
const PROVIDER = 'twilio';
export const TWILIO_STATUS_PATH = '/webhooks/sms/twilio/status';

interface TwilioMessage {
  sid?: string;
  status?: string;
}
interface TwilioError {
  code?: number;
  message?: string;
  status?: number;
}

/**
 * Twilio Programmable Messaging ("Messages resource → Create a Message resource"):
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth AccountSid:AuthToken, a
 * form-encoded body with To, From or MessagingServiceSid, Body and StatusCallback; 201 with the Message
 * resource (`sid`, `status: "queued"`), or an error object `{code, message, more_info, status}`.
 *
 * Duplicates: Twilio's REST API has no idempotency key, so a request that may have reached Twilio is
 * never sent again. Retried only: 429 (code 20429, "Too Many Requests" — refused, honouring Retry-After),
 * 503 (not processed), and connections that failed before the request left (ECONNREFUSED, DNS). A reset or
 * timeout after sending, or another 5xx, is reported failed as OUTCOME_UNKNOWN_*: the escalation timers,
 * not a blind resend, cover a text that may or may not have gone. Every attempt carries the same
 * StatusCallback (`?n=<notification id>`), so even a duplicate's callbacks land on the right row.
 */
export function createTwilioSmsNotifier(config: TwilioSmsConfig, deps: SmsNotifierDeps): Notifier {
  const log = deps.log.child({ component: 'notifier', channel: TWILIO_CHANNEL });
  const base = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  const callbackBase = config.publicWebhookBaseUrl.replace(/\/$/, '') + TWILIO_STATUS_PATH;
  const doFetch = deps.fetch ?? fetch;

  return {
    channel: TWILIO_CHANNEL,
    async send(msg, signal) {
      const form = new URLSearchParams({ To: msg.to.replace(/[\s-]/g, ''), Body: msg.body });
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      else if (config.from) form.set('From', config.from);
      form.set('StatusCallback', `${callbackBase}?n=${encodeURIComponent(msg.notificationId)}`);
      const ledger = deps.ledger();
      const sendLog = log.child({ notificationId: msg.notificationId, recipient: maskPhone(msg.to) });
      try {
        const sid = await withRetry(
          deps.retry,
          signal,
          async () => {
            await ledger?.attempt(msg.notificationId, TWILIO_CHANNEL);
            return await sendOnce(form, signal);
          },
          (n, err, delayMs) =>
            sendLog.warn({ attempt: n, code: err.providerCode, delayMs }, 'twilio send retried'),
        );
        await ledger?.accepted(msg.notificationId, TWILIO_CHANNEL, sid);
        sendLog.info({ sid }, 'sms accepted by twilio');
        return { providerMessageId: sid };
      } catch (err) {
        if (err instanceof SmsSendError)
          await ledger?.rejected(msg.notificationId, TWILIO_CHANNEL, err.providerCode);
        throw err;
      }
    },
  };

  async function sendOnce(form: URLSearchParams, signal: AbortSignal): Promise<string> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        signal,
        headers: {
          authorization: auth,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      deps.metrics?.sendAttempts.inc({ provider: PROVIDER, outcome: 'network' });
      throw networkError(PROVIDER, err);
    }
    const text = await res.text();
    let body: TwilioMessage & TwilioError = {};
    try {
      body = JSON.parse(text) as TwilioMessage & TwilioError;
    } catch {}
    if (res.status === 201 && body.sid) {
      deps.metrics?.sendAttempts.inc({ provider: PROVIDER, outcome: 'accepted' });
      return body.sid;
    }
    const retryable = res.status === 429 || res.status === 503;
    deps.metrics?.sendAttempts.inc({ provider: PROVIDER, outcome: retryable ? 'retryable' : 'rejected' });
    const retryAfterS = Number(res.headers.get('retry-after'));
    throw new SmsSendError(
      PROVIDER,
      String(body.code ?? `HTTP_${res.status}`),
      (body.message ?? text).slice(0, 200),
      retryable,
      Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined,
    );
  }
}
