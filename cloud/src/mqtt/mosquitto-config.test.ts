import { describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from '../gateways/gateway-secret.ts';
import { consumerUserNames } from './consumer-users.ts';
import { mayPublish, maySubscribe } from './gateway-acl.ts';
import { renderMosquittoConfig } from './mosquitto-config.ts';
import { maxRemainingLength } from './packet-size-guard.ts';

describe('Mosquitto files from the gateways table', () => {
  it('lists each gateway with its stored hash, then one user per cloud consumer session, and leaves out legacy scrypt hashes', async () => {
    const h1 = await hashSecret('secret-one');
    const files = await renderMosquittoConfig({
      gateways: [
        { gatewayId: 'gw-1', secretHash: h1 },
        { gatewayId: 'gw-old', secretHash: 'scrypt$16384$8$1$AAAA$BBBB' },
      ],
      consumerUsers: consumerUserNames(['cloud-1', 'cloud-2'], 2),
      cloudPassword: 'cloud-password-0123456789',
      maxPayloadBytes: 16384,
    });
    const lines = files.passwords.trimEnd().split('\n');
    expect(lines[0]).toBe(`gw-1:${h1}`);
    const consumers = lines.slice(1).map((l) => l.split(/:(.*)/s));
    expect(consumers.map(([user]) => user)).toEqual(['cloud-1-0', 'cloud-1-1', 'cloud-2-0', 'cloud-2-1']);
    for (const [, hash] of consumers)
      expect(await verifySecret('cloud-password-0123456789', hash!)).toBe(true);
    expect(files.passwords).not.toContain('cloud-password');
    expect(files.skipped).toEqual(['gw-old']);
  });

  it('writes the same rules as the embedded broker as patterns on the user name', async () => {
    const { acl } = await renderMosquittoConfig({
      gateways: [],
      consumerUsers: consumerUserNames(['cloud-1'], 2),
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
    const consumerRules =
      'topic read gw/+/events\ntopic read gw/+/health\ntopic read gw/+/daily\ntopic read gw/+/cmd_result\ntopic write gw/+/cmd';
    expect(acl).toContain(`user cloud-1-0\n${consumerRules}\nuser cloud-1-1\n${consumerRules}\n`);
    expect(acl.match(/^user /gm)).toHaveLength(2);
  });

  it("bounds packets at the embedded broker's limit (Mosquitto refuses at Remaining Length + 1 > max_packet_size)", async () => {
    const { limits } = await renderMosquittoConfig({
      gateways: [],
      consumerUsers: ['cloud-1-0'],
      cloudPassword: 'x'.repeat(16),
      maxPayloadBytes: 4096,
    });
    const settings = limits.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(settings).toEqual([`max_packet_size ${maxRemainingLength(4096) + 1}`]);
  });

  it("refuses a gateway whose id is a cloud consumer's broker user", async () => {
    await expect(
      renderMosquittoConfig({
        gateways: [
          { gatewayId: 'gw-1', secretHash: await hashSecret('s') },
          { gatewayId: 'cloud-1-3', secretHash: await hashSecret('s') },
        ],
        consumerUsers: consumerUserNames(['cloud-1'], 4),
        cloudPassword: 'x'.repeat(16),
        maxPayloadBytes: 16384,
      }),
    ).rejects.toThrow(/gateway id cloud-1-3 is a cloud consumer's broker user/);
  });
});
