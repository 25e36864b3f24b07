import { pbkdf2, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Per-gateway MQTT secrets. The secret is shown once, when the gateway is registered; only a salted hash
 * is stored, in Mosquitto's own password-file format so an external broker can check the same hash
 * (`anju-cloud mosquitto-config` writes the file from the gateways table; Mosquitto 2.x, mosquitto_passwd
 * `-H sha512-pbkdf2`):
 *
 *     $7$<iterations>$<salt, base64>$<PBKDF2-HMAC-SHA512(secret, salt, iterations, 64 bytes), base64>
 *
 * Why not a slow, memory-hard hash (the first version stored scrypt N=2^14, ~45 ms and 16 MiB per check):
 * these secrets are 192 random bits made by `generateSecret`, never chosen by a person, so an offline
 * guesser faces 2^192 candidates whatever the hash costs; a slow hash only protects low-entropy passwords.
 * Its cost was paid on every MQTT connect instead: 10,000 gateways reconnecting after a cloud restart
 * queued ~8 minutes of scrypt on a 2-core machine (bench:fleet). PBKDF2 at 1,000 iterations costs ~0.3 ms.
 * Older scrypt hashes still verify in the embedded broker; Mosquitto cannot read them (the config command
 * lists those gateways, whose secrets must be re-issued).
 */
const ITERATIONS = 1_000;
const KEY_BYTES = 64; // SHA-512 output, as Mosquitto computes it
const SALT_BYTES = 12; // as mosquitto_passwd
/** Accepted on verify; beyond this a stored hash is treated as malformed rather than burning the CPU. */
const MAX_ITERATIONS = 1_000_000;

const SCRYPT_KEY_BYTES = 32;

function pbkdf2Async(secret: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(secret, salt, iterations, KEY_BYTES, 'sha512', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function scryptAsync(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, SCRYPT_KEY_BYTES, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A new random secret: 24 bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The stored form of a secret: Mosquitto's `$7$` PBKDF2-SHA512 hash. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await pbkdf2Async(secret, salt, ITERATIONS);
  return `$7$${ITERATIONS}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when Mosquitto can check this stored hash (a `$7$` hash); false for legacy scrypt ones. */
export function isMosquittoHash(stored: string): boolean {
  return parsePbkdf2(stored) !== undefined;
}

function parsePbkdf2(stored: string): { iterations: number; salt: Buffer; key: Buffer } | undefined {
  const m = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(stored);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2]!, 'base64');
  const key = Buffer.from(m[3]!, 'base64');
  if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length === 0 || key.length !== KEY_BYTES)
    return undefined;
  return { iterations, salt, key };
}

/** Timing-safe check of `secret` against a stored hash (`$7$…` or legacy `scrypt$…`). Malformed → false. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const pb = parsePbkdf2(stored);
  if (pb) return timingSafeEqual(await pbkdf2Async(secret, pb.salt, pb.iterations), pb.key);
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (!(N > 1 && r > 0 && p > 0) || expected.length !== SCRYPT_KEY_BYTES) return false;
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
