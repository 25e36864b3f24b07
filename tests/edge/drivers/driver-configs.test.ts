import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { driverConfigSchemas } from '../../../edge/src/drivers/registry.ts';

const driversDir = join(import.meta.dirname, '../../../edge/src/drivers');

/** The first ```yaml block of a driver's README: a one-item list `- type: <driver> …`. */
function readmeExample(folder: string): Record<string, unknown> {
  const text = readFileSync(join(driversDir, folder, 'README.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error(`no yaml example in ${folder}/README.md`);
  const [item] = parseYaml(block) as Record<string, unknown>[];
  return item!;
}

function errors(schema: TSchema, input: unknown): string[] {
  const v = Value.Default(schema, structuredClone(input));
  return [...Value.Errors(schema, v)].map((e) => `${e.path}: ${e.message}`);
}

describe('driver configs: the README examples are valid, bad values are refused', () => {
  for (const [type, schema] of Object.entries(driverConfigSchemas)) {
    it(`accepts the example in ${type}/README.md`, () => {
      const { type: t, ...config } = readmeExample(type);
      expect(t).toBe(type);
      expect(errors(schema, config)).toEqual([]);
    });
  }

  it('fills defaults (DL/T 645 is 2400 8E1 unless told otherwise)', () => {
    const c = Value.Default(driverConfigSchemas.dlt645, {
      id: 'm',
      path: '/dev/ttyUSB0',
      meters: [{ address: '202312345678', device: 'e', room: 'hall', role: 'electricity_main' }],
    });
    expect(c).toMatchObject({
      baudRate: 2400,
      parity: 'even',
      dataBits: 8,
      stopBits: 1,
      pollIntervalMs: 60_000,
    });
  });

  it('refuses values that would misread or flood the line', () => {
    const dlt = readmeExample('dlt645');
    expect(
      errors(driverConfigSchemas.dlt645, {
        ...dlt,
        meters: [{ address: '12345', device: 'e', room: 'r', role: 'x' }],
      }),
    ).not.toEqual([]);
    expect(errors(driverConfigSchemas.dlt645, { ...dlt, pollIntervalMs: 100 })).not.toEqual([]);
    const mb = readmeExample('modbus-rtu');
    expect(
      errors(driverConfigSchemas['modbus-rtu'], {
        ...mb,
        slaves: [
          { unitId: 0, device: 'd', room: 'r', role: 'x', registers: [{ register: 1, reading: 'water_l' }] },
        ],
      }),
    ).not.toEqual([]);
    const pc = readmeExample('pulse-counter');
    expect(
      errors(driverConfigSchemas['pulse-counter'], {
        ...pc,
        channels: [{ channel: 1, device: 'w', room: 'r', role: 'x', quantity: 'water_l', litresPerPulse: 0 }],
      }),
    ).not.toEqual([]);
    const z = readmeExample('zigbee2mqtt');
    expect(errors(driverConfigSchemas.zigbee2mqtt, { ...z, baseTopic: 'zigbee2mqtt/#' })).not.toEqual([]);
    expect(
      errors(driverConfigSchemas.zigbee2mqtt, {
        ...z,
        devices: [{ friendlyName: 'a', device: 'home/x', room: 'r', role: 'x' }],
      }),
    ).not.toEqual([]);
  });
});
