import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A check of candidates against one shared secret (the service token, a provider's webhook token).
 * SHA-256 digests compared with timingSafeEqual: neither the secret's content nor its length leaks by timing.
 */
export function secretMatcher(secret: string): (candidate: string | undefined) => boolean {
  const expected = digest(secret);
  return (candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), expected);
}
