import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time enrolment codes as people read them aloud and type them: 12 characters of Crockford's base32
 * (no I, L, O, U), shown in groups of four (`7KQM-4XPD-2RJC`). 60 random bits: with the per-client failure
 * limit (enrolment.config.ts) guessing one of the few live codes is hopeless, and the code still fits on a
 * phone call from the duty desk.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 12;

export function generateEnrolmentCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  const chars = [...bytes].map((b) => ALPHABET[b % 32]!).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/**
 * The canonical form of what someone typed: case, spaces and dashes do not matter, and the letters people
 * confuse with digits read as those digits (Crockford: O → 0, I/L → 1). Undefined when it cannot be a code.
 */
export function normalizeEnrolmentCode(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== CODE_LENGTH) return undefined;
  for (const c of s) if (!ALPHABET.includes(c)) return undefined;
  return s;
}

/**
 * What the database keeps instead of the code. The code has 60 random bits, so a fast hash is enough (no
 * salt or scrypt needed against a dictionary), and it lets the one redeeming query look the code up by index.
 */
export function hashEnrolmentCode(normalized: string): string {
  return createHash('sha256').update(`anju-enrol:${normalized}`).digest('hex');
}
