import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Per-gateway MQTT secrets. Only `scrypt$N$r$p$salt$hash` (base64url) is stored; the secret itself is
 * shown once, when the gateway is registered. N=2^14, r=8, p=1 is the common interactive-login setting
 * (~16 MiB, tens of ms): affordable on each MQTT connect, expensive for an offline guesser.
 */
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A new random secret: 24 bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Timing-safe check of `secret` against a stored hash. A malformed hash verifies as false. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (!(N > 1 && r > 0 && p > 0) || expected.length !== KEY_BYTES) return false;
  const actual = await scryptAsync(secret, salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of a secret nobody knows: verified against when the gateway id is unknown, so "no such
 * gateway" and "wrong secret" take the same time and cannot be told apart from outside.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashSecret(generateSecret());
  return decoy;
}
