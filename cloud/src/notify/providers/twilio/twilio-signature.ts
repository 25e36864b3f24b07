import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio request signing ("Webhooks security" → "Validating signatures from Twilio",
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security): take the full URL Twilio requested
 * (scheme, host, path and query string), append every POST parameter sorted by name as name+value with
 * no delimiters, HMAC-SHA1 it with the account's AuthToken, Base64 the digest. The result is sent as
 * `X-Twilio-Signature`. Repeated names contribute one name+value per occurrence, in value order.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Iterable<readonly [string, string]>,
): string {
  const pairs = [...params].sort(([ak, av], [bk, bv]) => cmp(ak, bk) || cmp(av, bv));
  let data = url;
  for (const [k, v] of pairs) data += k + v;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Constant-time check of an `X-Twilio-Signature` header. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Iterable<readonly [string, string]>,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

// Twilio's libraries sort by UTF-16 code unit (plain `<`), not by locale.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
