import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dlt645SimState, startDlt645MeterSim } from '../../tools/harness/devices/dlt645-meter.sim.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';
import { cli } from './cli-runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'anju-pair-meter-'));
const config = join(dir, 'gateway.yaml');
const gw = join(dir, 'rs485-gw');
const dev = join(dir, 'rs485-dev');
const ADDRESS = '000012345678';
const stops: (() => Promise<unknown>)[] = [];
const state = dlt645SimState({ [ADDRESS]: { energyKwh: 4321.5, powerW: 860 } });

beforeAll(async () => {
  writeFileSync(
    config,
    '# my flat, installed by Wang\ngatewayId: gw-1\nresidentId: res-1\ndataDir: /tmp/anju-x\n' +
      'cloud: { url: "mqtt://127.0.0.1:1884", secret: "0123456789abcdef" }\n' +
      'devices: # meters go here\n  - type: zigbee2mqtt\n    devices: [{ friendlyName: hall_pir, device: pir-hall, room: hall, role: motion }]\n',
  );
  const pty = await startPtyPair(gw, dev);
  stops.push(() => pty.stop());
  const sim = await startDlt645MeterSim(dev, state);
  stops.unshift(() => sim.close());
});
afterAll(async () => {
  for (const s of stops) await s();
});

const pair = (...more: string[]) =>
  cli(
    'pair',
    'meter',
    '-c',
    config,
    '--type',
    'dlt645',
    '--port',
    gw,
    '--device',
    'meter-main',
    '--room',
    'hall',
    '--role',
    'electricity_main',
    ...more,
  );

describe('anju-gw pair meter (the real DL/T 645 driver against a simulated meter on a socat pty)', () => {
  it('reads the meter through its driver, shows the readings and saves it, keeping the comments', async () => {
    const r = await pair('--address', ADDRESS);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /home\/meter-main\/meter {2}\{"tMs":\d+,"quantity":"electricity_kwh","total":4321\.5\}/,
    );
    expect(r.out).toContain(`Saved dlt645 meter meter-main (line dlt645-rs485-gw)`);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('# my flat, installed by Wang');
    // yaml keeps a comment after `devices:` but writes it on the line below the key.
    expect(text).toMatch(/devices:\n {2}# meters go here\n/);
    expect(parseYaml(text).devices[1]).toEqual({
      type: 'dlt645',
      id: 'dlt645-rs485-gw',
      path: gw,
      meters: [{ address: ADDRESS, device: 'meter-main', room: 'hall', role: 'electricity_main' }],
    });
  });

  it('refuses a meter that does not answer (exit 10) and a missing type-specific flag (exit 2), saving nothing', async () => {
    const before = readFileSync(config, 'utf8');
    state.silent.add('000000000099');
    const silent = await pair('--address', '000000000099', '--timeout-s', '3', '--device', 'meter-2');
    expect(silent.code).toBe(10);
    expect(silent.err).toContain(
      'No reading from meter-2 in 3 s (0 of 2): check the wiring, the address and the power. Nothing was saved.',
    );
    const noAddress = await pair();
    expect(noAddress.code).toBe(2);
    expect(noAddress.err).toBe('anju-gw: pair meter --type dlt645 needs --address\n');
    const badType = await cli(
      'pair',
      'meter',
      '--type',
      'm-bus',
      '--port',
      gw,
      '--device',
      'x',
      '--room',
      'y',
      '--role',
      'z',
    );
    expect(badType.code).toBe(2);
    expect(badType.err).toContain(
      "argument 'm-bus' is invalid. Allowed choices are modbus-rtu, dlt645, pulse-counter.",
    );
    expect(readFileSync(config, 'utf8')).toBe(before);
  });
});
