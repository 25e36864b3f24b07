import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from './gateway-acl.ts';
import { hashSecret, verifySecret } from './gateway-secret.ts';
import { renderMosquittoConfig } from './mosquitto-config.ts';
import { maxRemainingLength } from './packet-size-guard.ts';

describe('Mosquitto files from the gateways table', () => {
  it('lists each gateway with its stored hash, the cloud user last, and leaves out legacy scrypt hashes', async () => {
    const h1 = await hashSecret('secret-one');
    const files = await renderMosquittoConfig({
      gateways: [
        { gatewayId: 'gw-1', secretHash: h1 },
        { gatewayId: 'gw-old', secretHash: 'scrypt$16384$8$1$AAAA$BBBB' },
      ],
      cloudUsername: 'anju-cloud',
      cloudPassword: 'cloud-password-0123456789',
      maxPayloadBytes: 16384,
    });
    const lines = files.passwords.trimEnd().split('\n');
    expect(lines[0]).toBe(`gw-1:${h1}`);
    expect(lines).toHaveLength(2);
    const [user, hash] = lines[1]!.split(/:(.*)/s);
    expect(user).toBe('anju-cloud');
    expect(await verifySecret('cloud-password-0123456789', hash!)).toBe(true);
    expect(files.passwords).not.toContain('cloud-password');
    expect(files.skipped).toEqual(['gw-old']);
  });

  it('writes the same rules as the embedded broker as patterns on the user name', async () => {
    const { acl } = await renderMosquittoConfig({
      gateways: [],
      cloudUsername: 'anju-cloud',
      cloudPassword: 'x'.repeat(16),
      maxPayloadBytes: 16384,
    });
    const patterns = acl.split('\n').filter((l) => l.startsWith('pattern '));
    expect(patterns).toEqual([
      'pattern write gw/%u/events',
      'pattern write gw/%u/health',
      'pattern write gw/%u/daily',
      'pattern write gw/%u/cmd_result',
      'pattern read gw/%u/cmd',
    ]);
    // Same answers as gateway-acl.ts for the gateway the pattern is expanded for.
    for (const p of patterns) {
      const [, access, topic] = p.split(' ');
      const t = topic!.replace('%u', 'gw-7');
      expect(access === 'write' ? mayPublish('gw-7', t) : maySubscribe('gw-7', t), t).toBe(true);
    }
    expect(acl).toContain(
      'user anju-cloud\ntopic read gw/+/events\ntopic read gw/+/health\ntopic read gw/+/daily\ntopic read gw/+/cmd_result\ntopic write gw/+/cmd',
    );
  });

  it("bounds packets at the embedded broker's limit (Mosquitto refuses at Remaining Length + 1 > max_packet_size)", async () => {
    const { limits } = await renderMosquittoConfig({
      gateways: [],
      cloudUsername: 'anju-cloud',
      cloudPassword: 'x'.repeat(16),
      maxPayloadBytes: 4096,
    });
    const settings = limits.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(settings).toEqual([`max_packet_size ${maxRemainingLength(4096) + 1}`]);
  });

  it("refuses a gateway whose id is the cloud's broker user", async () => {
    await expect(
      renderMosquittoConfig({
        gateways: [{ gatewayId: 'anju-cloud', secretHash: await hashSecret('s') }],
        cloudUsername: 'anju-cloud',
        cloudPassword: 'x'.repeat(16),
        maxPayloadBytes: 16384,
      }),
    ).rejects.toThrow(/cloud's broker user/);
  });
});
