/**
 * A fake Aliyun SMS gateway (dysmsapi 2017-05-25) on loopback for tests: it checks every SendSms request
 * the way the documented API does — every mandatory parameter, the RPC signature recomputed with its OWN
 * implementation of "签名机制" (not the cloud's), nonce reuse, timestamp window — answers with the
 * documented JSON bodies and error codes, records what it accepted, can be told to throttle the next N
 * requests (isv.BUSINESS_LIMIT_CONTROL), and pushes SmsReport / SmsUp batches to a webhook.
 */
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listenLoopback, sendJson } from './fake-http.ts';

export interface AliyunAccepted {
  bizId: string;
  outId: string | undefined;
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  params: Record<string, string>;
}

export interface AliyunFakeOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** Template code → the variables it declares; a request must fill exactly these. */
  templates: Record<string, readonly string[]>;
  signNames: readonly string[];
}

const MANDATORY = [
  'AccessKeyId',
  'Action',
  'Format',
  'PhoneNumbers',
  'SignName',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureVersion',
  'TemplateCode',
  'Timestamp',
  'Version',
  'Signature',
];

/** RFC 3986 byte-wise encoding, as the signature doc specifies it (independent of encodeURIComponent). */
function popEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function fakeAliyunSignature(secret: string, params: Record<string, string>): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort();
  const canonical = keys.map((k) => `${popEncode(k)}=${popEncode(params[k]!)}`).join('&');
  const toSign = `GET&${popEncode('/')}&${popEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign).digest('base64');
}

export async function startAliyunFake(opts: AliyunFakeOptions) {
  const accepted: AliyunAccepted[] = [];
  const refused: { code: string; params: Record<string, string> }[] = [];
  const nonces = new Set<string>();
  let throttleNext = 0;
  const illegalNumbers = new Set<string>();
  let requests = 0;

  function fail(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    params: Record<string, string>,
  ) {
    refused.push({ code, params });
    sendJson(res, status, { RequestId: randomUUID().toUpperCase(), Code: code, Message: message });
  }

  const server = await listenLoopback((req, _body, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method !== 'GET' && req.method !== 'POST')
      return fail(res, 405, 'UnsupportedHTTPMethod', 'method', {});
    const params = Object.fromEntries(url.searchParams);
    for (const p of MANDATORY) {
      if (!params[p]) return fail(res, 400, `Missing${p}`, `${p} is mandatory for this action.`, params);
    }
    if (params.AccessKeyId !== opts.accessKeyId) {
      return fail(res, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.', params);
    }
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') {
      return fail(res, 400, 'InvalidSignatureMethod', 'Specified signature method is not valid.', params);
    }
    if (params.Signature !== fakeAliyunSignature(opts.accessKeySecret, params)) {
      return fail(
        res,
        400,
        'SignatureDoesNotMatch',
        'Specified signature is not matched with our calculation.',
        params,
      );
    }
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(params.Timestamp!)) {
      return fail(res, 400, 'InvalidTimeStamp.Format', 'Specified time stamp is not valid.', params);
    }
    if (Math.abs(Date.parse(params.Timestamp!) - Date.now()) > 15 * 60_000) {
      return fail(
        res,
        400,
        'InvalidTimeStamp.Expired',
        'Specified time stamp or date value is expired.',
        params,
      );
    }
    if (nonces.has(params.SignatureNonce!)) {
      return fail(res, 400, 'SignatureNonceUsed', 'Specified signature nonce was used already.', params);
    }
    nonces.add(params.SignatureNonce!);
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25') {
      return fail(res, 400, 'InvalidAction.NotFound', 'Specified api is not found.', params);
    }
    if (!['JSON', 'XML'].includes(params.Format!)) return fail(res, 400, 'InvalidFormat', 'Format', params);
    // Business errors come back as HTTP 200 with a non-OK Code (SendSms "返回数据" / 错误码).
    if (throttleNext > 0) {
      throttleNext--;
      return fail(res, 200, 'isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1', params);
    }
    if (!opts.signNames.includes(params.SignName!))
      return fail(res, 200, 'isv.SMS_SIGNATURE_ILLEGAL', '签名不合法', params);
    const vars = opts.templates[params.TemplateCode!];
    if (!vars) return fail(res, 200, 'isv.SMS_TEMPLATE_ILLEGAL', '模板不合法', params);
    let tp: Record<string, string>;
    try {
      tp = JSON.parse(params.TemplateParam ?? '{}') as Record<string, string>;
    } catch {
      return fail(res, 200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法', params);
    }
    const missing = vars.filter((v) => typeof tp[v] !== 'string' || tp[v] === '');
    if (missing.length > 0)
      return fail(res, 200, 'isv.TEMPLATE_MISSING_PARAMETERS', `模板缺少变量 ${missing}`, params);
    if (Object.values(tp).some((v) => String(v).length > 35)) {
      return fail(res, 200, 'isv.PARAM_LENGTH_LIMIT', '参数超出长度限制', params);
    }
    const phone = params.PhoneNumbers!;
    if (illegalNumbers.has(phone) || !/^(\+?86|0086)?1[3-9]\d{9}$|^\+?[1-9]\d{6,14}$/.test(phone)) {
      return fail(res, 200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号', params);
    }
    const bizId = `${randomInt(100000, 999999)}${Date.now()}^0`;
    accepted.push({
      bizId,
      outId: params.OutId,
      phoneNumbers: phone,
      signName: params.SignName!,
      templateCode: params.TemplateCode!,
      templateParam: tp,
      params,
    });
    sendJson(res, 200, { Message: 'OK', RequestId: randomUUID().toUpperCase(), BizId: bizId, Code: 'OK' });
  });

  const beijing = (d: Date) =>
    new Date(d.getTime() + 8 * 3600_000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, '');

  async function push(url: string, batch: unknown[]) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  }

  return {
    endpoint: server.url,
    accepted,
    refused,
    requests: () => requests,
    /** The next `n` SendSms answer isv.BUSINESS_LIMIT_CONTROL (throttled, retry later). */
    throttleNext(n: number) {
      throttleNext = n;
    },
    /** This number gets isv.MOBILE_NUMBER_ILLEGAL (permanent). */
    rejectNumber(phone: string) {
      illegalNumbers.add(phone);
    },
    /** Pushes a SmsReport batch (delivery receipts) for accepted messages, as the HTTP batch push does. */
    pushReceipts(url: string, items: { bizId: string; success: boolean; errCode?: string }[]) {
      const now = new Date();
      return push(
        url,
        items.map((i) => {
          const m = accepted.find((a) => a.bizId === i.bizId);
          return {
            phone_number: m?.phoneNumbers ?? '',
            send_time: beijing(new Date(now.getTime() - 5_000)),
            report_time: beijing(now),
            success: i.success,
            err_code: i.success ? 'DELIVERED' : (i.errCode ?? 'MK:0001'),
            err_msg: i.success ? '用户接收成功' : '失败',
            sms_size: '1',
            biz_id: i.bizId,
            out_id: m?.outId ?? '',
          };
        }),
      );
    },
    /** Pushes a SmsUp batch: texts people sent to the sign's number. */
    pushReplies(url: string, items: { phone: string; content: string; signName: string }[]) {
      return push(
        url,
        items.map((i) => ({
          phone_number: i.phone,
          send_time: beijing(new Date()),
          content: i.content,
          sign_name: i.signName,
          dest_code: '1234',
          sequence_id: randomInt(1, 2 ** 47),
        })),
      );
    },
    close: () => server.close(),
  };
}

export type AliyunFake = Awaited<ReturnType<typeof startAliyunFake>>;
