import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadGatewayConfig } from './load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const minimal = `gatewayId: gw-1\nresidentId: res-1\ndataDir: /tmp/x\ncloud: { url: "mqtt://127.0.0.1:1884", secret: "0123456789" }\n`;

describe('gateway config', () => {
  it('fills defaults and freezes the result', () => {
    const c = loadGatewayConfig(write('ok.yaml', minimal), {});
    expect(c.fall.confirmWindowMs).toBe(30_000);
    expect(c.localBroker).toEqual({ host: '127.0.0.1', port: 1885 });
    expect(Object.isFrozen(c.cloud)).toBe(true);
  });

  it('reports every problem at once, naming the key', () => {
    const f = write(
      'bad.yaml',
      'gatewayId: "bad id!"\ncloud: { url: "http://x", secret: "short" }\nfall: { confirmWindowMs: -1 }\n',
    );
    try {
      loadGatewayConfig(f, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const keys = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(keys).toEqual(
        expect.arrayContaining([
          'gatewayId',
          'residentId',
          'dataDir',
          'cloud.url',
          'cloud.secret',
          'fall.confirmWindowMs',
        ]),
      );
    }
  });

  it('lets the environment and flags override the file', () => {
    const c = loadGatewayConfig(
      write('env.yaml', minimal),
      { ANJU_CONFIRM_WINDOW_MS: '5000', ANJU_CLOUD_URL: 'mqtts://cloud:8883' },
      { dataDir: '/data' },
    );
    expect(c.fall.confirmWindowMs).toBe(5000);
    expect(c.cloud.url).toBe('mqtts://cloud:8883');
    expect(c.dataDir).toBe('/data');
  });

  it('refuses unknown keys, an unknown scorer, unreadable files and non-mappings', () => {
    expect(() => loadGatewayConfig(write('extra.yaml', `${minimal}colour: blue\n`), {})).toThrow(
      /colour|additional/i,
    );
    expect(() => loadGatewayConfig(write('scorer.yaml', `${minimal}fall: { scorer: magic }\n`), {})).toThrow(
      /unknown scorer "magic"/,
    );
    expect(() => loadGatewayConfig(join(dir, 'missing.yaml'), {})).toThrow(/cannot read/);
    expect(() => loadGatewayConfig(write('list.yaml', '- a\n- b\n'), {})).toThrow(/mapping/);
  });

  it("checks each home device against its driver's schema, naming the entry and key", () => {
    const file = write(
      'devices.yaml',
      `${minimal}devices:\n  - type: dlt645\n    path: /dev/ttyUSB1\n    meters: [{ address: "12", device: m1, room: hall, role: electricity_main }]\n  - type: teleporter\n`,
    );
    try {
      loadGatewayConfig(file, {});
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/devices\.0\.meters\.0\.address/);
      expect(problems).toMatch(/devices\.1\.type: unknown driver "teleporter"/);
    }
    const ok = loadGatewayConfig(
      write(
        'devices-ok.yaml',
        `${minimal}devices:\n  - type: pulse-counter\n    id: pulses\n    path: /dev/ttyUSB2\n    channels: [{ channel: 1, device: w1, room: kitchen, role: water_main, quantity: water_l, litresPerPulse: 1 }]\n`,
      ),
      {},
    );
    expect(ok.devices[0]).toMatchObject({ type: 'pulse-counter', baudRate: 9600 });
  });
});
