import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { deviceBindings } from '../../edge/src/agent/home-pipeline.ts';
import { loadGatewayConfig } from '../../edge/src/config/load-config.ts';
import { cli } from './cli-runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'anju-pair-sensor-'));
const HEAD =
  '# installed by Wang\ngatewayId: gw-1\nresidentId: res-1\ndataDir: /tmp/anju-x\n' +
  'cloud: { url: "mqtt://127.0.0.1:1884", secret: "0123456789abcdef" }\n';

const pair = (config: string, ...more: string[]) => cli('pair', 'sensor', '-c', config, ...more);

describe('anju-gw pair sensor (zigbee2mqtt sensors by role and room)', () => {
  it('adds a sensor to the zigbee2mqtt driver, replaces it by friendly name, and the home pipeline reads its role', async () => {
    const config = join(dir, 'a.yaml');
    writeFileSync(
      config,
      `${HEAD}devices:\n  - type: zigbee2mqtt\n    devices: [{ friendlyName: hall_pir, device: pir-hall, room: hall, role: motion }]\n`,
    );
    const r = await pair(
      config,
      '--friendly-name',
      'bath/pir',
      '--device',
      'pir-bath',
      '--room',
      'bathroom',
      '--role',
      'motion',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain("Saved zigbee2mqtt sensor pir-bath ('bath/pir') as motion in bathroom");
    const again = await pair(
      config,
      '--friendly-name',
      'bath/pir',
      '--device',
      'pir-bath',
      '--room',
      'bathroom',
      '--role',
      'door',
    );
    expect(again.code).toBe(0);
    expect(again.out).toContain('Replaced');
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('# installed by Wang');
    expect(parseYaml(text).devices[0].devices).toEqual([
      { friendlyName: 'hall_pir', device: 'pir-hall', room: 'hall', role: 'motion' },
      { friendlyName: 'bath/pir', device: 'pir-bath', room: 'bathroom', role: 'door' },
    ]);
    const bindings = deviceBindings(loadGatewayConfig(config).devices as unknown[]);
    expect(bindings).toContainEqual({ id: 'pir-bath', role: 'door', room: 'bathroom' });
  });

  it('creates the zigbee2mqtt driver entry when the config has none', async () => {
    const config = join(dir, 'b.yaml');
    writeFileSync(config, HEAD);
    const r = await pair(
      config,
      '--friendly-name',
      'front',
      '--device',
      'door-front',
      '--room',
      'hall',
      '--role',
      'front_door',
      '--base-topic',
      'z2m',
    );
    expect(r.code).toBe(0);
    expect(parseYaml(readFileSync(config, 'utf8')).devices).toEqual([
      {
        type: 'zigbee2mqtt',
        baseTopic: 'z2m',
        devices: [{ friendlyName: 'front', device: 'door-front', room: 'hall', role: 'front_door' }],
      },
    ]);
  });

  it('refuses an unknown role (exit 2), saving nothing', async () => {
    const config = join(dir, 'c.yaml');
    writeFileSync(config, HEAD);
    const role = await pair(
      config,
      '--friendly-name',
      'x',
      '--device',
      'x1',
      '--room',
      'hall',
      '--role',
      'sofa',
    );
    expect(role.code).toBe(2);
    expect(role.err).toMatch(/--role.*sofa/);
    expect(readFileSync(config, 'utf8')).toBe(HEAD);
  });
});
