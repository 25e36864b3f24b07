import { createHmac } from 'node:crypto';

/**
 * Aliyun POP "RPC signature" (V1, SignatureMethod HMAC-SHA1), as documented for dysmsapi
 * ("短信服务 → API参考 → 签名机制", https://help.aliyun.com/document_detail/101343.html, and the RPC
 * "签名机制" page of the OpenAPI docs):
 *  1. percent-encode every name and value with UTF-8, RFC 3986 unreserved characters `A-Za-z0-9-_.~` kept,
 *     space → `%20` (not `+`), `*` → `%2A`, `%7E` → `~`;
 *  2. sort by encoded name, join as `name=value` with `&` (the canonicalized query string);
 *  3. StringToSign = `GET&%2F&` + percentEncode(canonicalized query string);
 *  4. Signature = Base64(HMAC-SHA1(AccessKeySecret + '&', StringToSign)).
 * `Signature` itself is never part of what is signed.
 */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalizedQuery(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .filter(([k]) => k !== 'Signature')
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function stringToSign(method: 'GET' | 'POST', params: Readonly<Record<string, string>>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalizedQuery(params))}`;
}

export function aliyunSignature(
  accessKeySecret: string,
  params: Readonly<Record<string, string>>,
  method: 'GET' | 'POST' = 'GET',
): string {
  return createHmac('sha1', `${accessKeySecret}&`)
    .update(stringToSign(method, params), 'utf8')
    .digest('base64');
}
