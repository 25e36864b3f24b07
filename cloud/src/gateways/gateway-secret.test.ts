import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, isMosquittoHash, verifySecret } from './gateway-secret.ts';

describe('gateway secrets', () => {
  it('verifies the right secret and refuses any other', async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret);
    expect(hash).toMatch(/^\$7\$1000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
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
    for (const bad of [
      '',
      'plain',
      'scrypt$1$8$1$AA$AA',
      'bcrypt$x$y$z$a$b',
      'scrypt$16384$8$1$AAAA$AAAA',
      '$7$0$AAAA$AAAA',
      '$7$101$AAAA$AAAA',
      '$7$99999999$AAAA$AAAA',
      '$6$AAAA$AAAA',
    ]) {
      expect(await verifySecret('anything', bad), bad).toBe(false);
    }
  });

  it('reads the hashes mosquitto_passwd writes (sha512-pbkdf2, 101 iterations)', async () => {
    // `mosquitto_passwd -c -b pw gw-1 secret` with Mosquitto 2.0.11
    const fromMosquitto =
      '$7$101$MOUxDi37Rzd0xinl$4rxPM+aSagYS3ByjhNTZ28q+4O7YdYTI7FDLGDraZlcMPG/UL0jh8J4+m84YE0Zt8iNDbgYxCtn5P+q+zdrWPQ==';
    expect(isMosquittoHash(fromMosquitto)).toBe(true);
    expect(await verifySecret('secret', fromMosquitto)).toBe(true);
    expect(await verifySecret('Secret', fromMosquitto)).toBe(false);
  });

  it('still verifies legacy scrypt hashes, which Mosquitto cannot read', async () => {
    const legacy = 'scrypt$16384$8$1$16OJ1DSdbSpigCHcOOVELg$Gjv03zSnExwMeBxdN-dnha1iwF5t7EuDaKVSryGF0fk';
    expect(isMosquittoHash(legacy)).toBe(false);
    expect(await verifySecret('legacy-secret', legacy)).toBe(true);
    expect(await verifySecret('not-it', legacy)).toBe(false);
  });

  it('generates 32-character url-safe secrets', () => {
    const s = new Set(Array.from({ length: 50 }, generateSecret));
    expect(s.size).toBe(50);
    for (const x of s) expect(x).toMatch(/^[\w-]{32}$/);
  });
});
