/**
 * A fake Twilio REST API (Programmable Messaging, 2010-04-01) on loopback for tests. It checks each
 * Create-Message request as documented — HTTP Basic auth AccountSid:AuthToken, the account in the path,
 * form encoding, To / From|MessagingServiceSid / Body, StatusCallback a valid URL — answers 201 with a
 * Message resource or Twilio's error JSON `{code, message, more_info, status}`, records what it accepted,
 * can answer 429 / 20429 for the next N requests, and calls the status callback and the inbound webhook
 * with form posts signed with X-Twilio-Signature by its OWN implementation of the documented algorithm.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listenLoopback, sendJson } from './fake-http.ts';

export interface TwilioAccepted {
  sid: string;
  to: string;
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  body: string;
  statusCallback?: string | undefined;
  /** When the request was accepted: epoch ms, fractional (benches correlate it with a publish). */
  receivedAt: number;
}

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  /** Numbers this account may send from. */
  numbers: readonly string[];
  /** Where a public webhook URL is actually reachable (tests: the cloud on its ephemeral port). */
  route: (publicUrl: string) => string;
}

export function fakeTwilioSignature(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export async function startTwilioFake(opts: TwilioFakeOptions) {
  const accepted: TwilioAccepted[] = [];
  const refused: { status: number; code: number }[] = [];
  let throttleNext = 0;
  let requests = 0;

  function fail(res: ServerResponse, status: number, code: number, message: string) {
    refused.push({ status, code });
    sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  }

  const server = await listenLoopback((req, raw, res) => {
    requests++;
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!m) return fail(res, 404, 20404, 'The requested resource was not found');
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [user, pass] = auth ? Buffer.from(auth[1]!, 'base64').toString().split(':') : [];
    if (user !== opts.accountSid || pass !== opts.authToken) return fail(res, 401, 20003, 'Authenticate');
    if (m[1] !== opts.accountSid) return fail(res, 404, 20404, 'The requested resource was not found');
    if (req.method !== 'POST') return fail(res, 405, 20004, 'Method not allowed');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return fail(res, 400, 21604, "A 'To' phone number is required.");
    }
    const form = new URLSearchParams(raw);
    if (throttleNext > 0) {
      throttleNext--;
      return fail(res, 429, 20429, 'Too Many Requests');
    }
    const to = form.get('To');
    const from = form.get('From') ?? undefined;
    const mss = form.get('MessagingServiceSid') ?? undefined;
    const body = form.get('Body');
    const cb = form.get('StatusCallback') ?? undefined;
    if (!to) return fail(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !mss) return fail(res, 400, 21603, "A 'From' phone number is required.");
    if (from && !opts.numbers.includes(from)) {
      return fail(
        res,
        400,
        21606,
        "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
      );
    }
    if (!body) return fail(res, 400, 21602, 'Message body is required.');
    if (!/^\+[1-9]\d{6,14}$/.test(to) || to.startsWith('+1555')) {
      return fail(res, 400, 21211, `Invalid 'To' Phone Number: ${to.slice(0, 4)}XXXX`);
    }
    if (cb && !URL.canParse(cb)) return fail(res, 400, 21609, 'Invalid StatusCallback url');
    const msg: TwilioAccepted = {
      sid: sid('SM'),
      to,
      from,
      messagingServiceSid: mss,
      body,
      statusCallback: cb,
      receivedAt: performance.timeOrigin + performance.now(),
    };
    accepted.push(msg);
    const now = new Date().toUTCString().replace('GMT', '+0000');
    sendJson(res, 201, {
      account_sid: opts.accountSid,
      api_version: '2010-04-01',
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: from ?? null,
      messaging_service_sid: mss ?? null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: msg.sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${msg.sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${msg.sid}.json`,
    });
  });

  /** Form POST to a webhook, signed like Twilio (or with a forged signature). */
  async function post(publicUrl: string, params: Record<string, string>, forge = false) {
    const signature = forge
      ? fakeTwilioSignature('not-the-auth-token', publicUrl, params)
      : fakeTwilioSignature(opts.authToken, publicUrl, params);
    const res = await fetch(opts.route(publicUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
  }

  return {
    baseUrl: server.url,
    accepted,
    refused,
    requests: () => requests,
    /** The next `n` requests answer 429 with code 20429. */
    throttleNext(n: number) {
      throttleNext = n;
    },
    /** Calls the message's StatusCallback with the given status ("Message status values"). */
    sendStatus(messageSid: string, status: string, o: { errorCode?: string; forge?: boolean } = {}) {
      const m = accepted.find((a) => a.sid === messageSid);
      if (!m?.statusCallback) throw new Error(`no status callback for ${messageSid}`);
      return post(
        m.statusCallback,
        {
          AccountSid: opts.accountSid,
          ApiVersion: '2010-04-01',
          From: m.from ?? opts.numbers[0] ?? '',
          MessageSid: m.sid,
          MessageStatus: status,
          SmsSid: m.sid,
          SmsStatus: status,
          To: m.to,
          ...(o.errorCode ? { ErrorCode: o.errorCode } : {}),
        },
        o.forge,
      );
    },
    /** An incoming message to one of our numbers, posted to the number's webhook URL. */
    sendInbound(
      publicUrl: string,
      msg: { from: string; to: string; body: string },
      o: { forge?: boolean } = {},
    ) {
      const messageSid = sid('SM');
      return post(
        publicUrl,
        {
          AccountSid: opts.accountSid,
          ApiVersion: '2010-04-01',
          Body: msg.body,
          From: msg.from,
          FromCountry: 'CN',
          MessageSid: messageSid,
          NumMedia: '0',
          NumSegments: '1',
          SmsMessageSid: messageSid,
          SmsSid: messageSid,
          SmsStatus: 'received',
          To: msg.to,
          ToCountry: 'US',
        },
        o.forge,
      );
    },
    close: () => server.close(),
  };
}

export type TwilioFake = Awaited<ReturnType<typeof startTwilioFake>>;
