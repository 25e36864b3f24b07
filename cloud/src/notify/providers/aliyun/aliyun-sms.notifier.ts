import { randomUUID } from 'node:crypto';
import { maskPhone, type Notifier } from '../../notifier.ts';
import { withRetry } from '../send-retry.ts';
import type { SmsNotifierDeps } from '../sms-notifier.deps.ts';
import type { AliyunSmsConfig } from '../sms-providers.config.ts';
import { networkError, SmsSendError } from '../sms-send.error.ts';
import { aliyunSignature } from './aliyun-signature.ts';
import { aliyunTemplateParams, type TemplateTable } from './aliyun-templates.ts';

export const ALIYUN_CHANNEL = 'aliyun-sms';
const PROVIDER = 'aliyun';

/**
 * Codes after which the same request may be sent again: the gateway refused it before it became a text
 * (dysmsapi "错误码" page: isv.BUSINESS_LIMIT_CONTROL = 触发流控; Throttling.* = API flow control;
 * ServiceUnavailable). Every other code is final for this text (isv.MOBILE_NUMBER_ILLEGAL, isv.SMS_TEMPLATE_ILLEGAL …).
 */
const RETRYABLE = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'ServiceUnavailable',
]);

interface SendSmsResponse {
  Code?: string;
  Message?: string;
  BizId?: string;
  RequestId?: string;
}

/**
 * Aliyun SMS (dysmsapi, API version 2017-05-25, action SendSms — "短信服务 → API参考 → SendSms"), called
 * as an RPC-style GET signed per "签名机制" (aliyun-signature.ts). Every text goes out as the template
 * registered for its message type and language, with parameters (Aliyun sends no free text;
 * aliyun-templates.ts). OutId is our notification id: the same
 * on every retry and echoed back in the delivery receipt (out_id), which is how receipts find their row.
 */
export function createAliyunSmsNotifier(
  config: AliyunSmsConfig,
  templates: TemplateTable,
  deps: SmsNotifierDeps,
): Notifier {
  const log = deps.log.child({ component: 'notifier', channel: ALIYUN_CHANNEL });
  const endpoint = (config.endpoint ?? 'https://dysmsapi.aliyuncs.com').replace(/\/$/, '');
  const doFetch = deps.fetch ?? fetch;

  async function params(msg: Parameters<Notifier['send']>[0]): Promise<Record<string, string>> {
    const facts = await deps.ledger()?.messageFacts(msg.notificationId);
    // No case facts (should not happen for a stored notification): the alert template, filled with the
    // text's first 35 characters, rather than nothing at all.
    const templateParam = facts
      ? aliyunTemplateParams(facts, msg.language, deps.timeZone)
      : { name: '-', event: msg.body.slice(0, 35), time: '-', ref: '-' };
    const templateCode = templates.codeFor(facts?.messageType ?? 'guardian_alert', msg.language);
    return {
      AccessKeyId: config.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      OutId: msg.notificationId,
      PhoneNumbers: msg.to.replace(/[\s-]/g, ''),
      RegionId: config.regionId ?? 'cn-hangzhou',
      SignName: config.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(templateParam),
      Version: '2017-05-25',
    };
  }

  return {
    channel: ALIYUN_CHANNEL,
    async send(msg, signal) {
      const base = await params(msg);
      const ledger = deps.ledger();
      const sendLog = log.child({ notificationId: msg.notificationId, recipient: maskPhone(msg.to) });
      try {
        const bizId = await withRetry(
          deps.retry,
          signal,
          async () => {
            // A fresh nonce and timestamp per request (the gateway refuses a replayed nonce,
            // SignatureNonceUsed); OutId — the idempotency/correlation id — stays the same.
            const p: Record<string, string> = {
              ...base,
              SignatureNonce: randomUUID(),
              Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            };
            p.Signature = aliyunSignature(config.accessKeySecret, p);
            await ledger?.attempt(msg.notificationId, ALIYUN_CHANNEL);
            return await sendOnce(`${endpoint}/?${new URLSearchParams(p).toString()}`, signal);
          },
          (n, err, delayMs) =>
            sendLog.warn({ attempt: n, code: err.providerCode, delayMs }, 'aliyun send retried'),
        );
        await ledger?.accepted(msg.notificationId, ALIYUN_CHANNEL, bizId);
        sendLog.info({ bizId }, 'sms accepted by aliyun');
        return { providerMessageId: bizId };
      } catch (err) {
        if (err instanceof SmsSendError)
          await ledger?.rejected(msg.notificationId, ALIYUN_CHANNEL, err.providerCode);
        throw err;
      }
    },
  };

  async function sendOnce(url: string, signal: AbortSignal): Promise<string> {
    let res: Response;
    try {
      res = await doFetch(url, { method: 'GET', signal, headers: { accept: 'application/json' } });
    } catch (err) {
      if (signal.aborted) throw err;
      deps.metrics?.sendAttempts.inc({ provider: PROVIDER, outcome: 'network' });
      throw networkError(PROVIDER, err);
    }
    const text = await res.text();
    let body: SendSmsResponse = {};
    try {
      body = JSON.parse(text) as SendSmsResponse;
    } catch {}
    if (res.ok && body.Code === 'OK' && body.BizId) {
      deps.metrics?.sendAttempts.inc({ provider: PROVIDER, outcome: 'accepted' });
      return body.BizId;
    }
    const code = body.Code ?? `HTTP_${res.status}`;
    // 503 = the gateway did not take the request; other 5xx may have sent the text already, so they are final.
    const retryable = RETRYABLE.has(code) || res.status === 503 || res.status === 429;
    deps.metrics?.sendAttempts.inc({ provider: PROVIDER, outcome: retryable ? 'retryable' : 'rejected' });
    throw new SmsSendError(PROVIDER, code, (body.Message ?? text).slice(0, 200), retryable);
  }
}
