import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, verifySecret } from './gateway-secret.ts';

describe('gateway secrets', () => {
  it('verifies the right secret and refuses any other', async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain(secret);
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(`${secret}x`, hash)).toBe(false);
    expect(await verifySecret('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const secret = generateSecret();
    expect(await hashSecret(secret)).not.toBe(await hashSecret(secret));
  });

  it('treats a malformed stored hash as a mismatch instead of throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$1$8$1$AA$AA', 'bcrypt$x$y$z$a$b', 'scrypt$16384$8$1$AAAA$AAAA']) {
      expect(await verifySecret('anything', bad), bad).toBe(false);
    }
  });

  it('generates 32-character url-safe secrets', () => {
    const s = new Set(Array.from({ length: 50 }, generateSecret));
    expect(s.size).toBe(50);
    for (const x of s) expect(x).toMatch(/^[\w-]{32}$/);
  });
});
