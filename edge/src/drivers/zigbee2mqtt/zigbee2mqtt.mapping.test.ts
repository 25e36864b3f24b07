import { describe, expect, it } from 'vitest';
import { mapZ2mState } from './zigbee2mqtt.mapping.ts';

describe('zigbee2mqtt state mapping', () => {
  it('maps a PIR state (occupancy, battery, linkquality)', () => {
    expect(mapZ2mState({ occupancy: true, battery: 87, linkquality: 120, illuminance: 14 })).toEqual({
      fields: [
        { metric: 'motion', occupied: true },
        { metric: 'battery', percent: 87 },
      ],
      badFields: [],
      linkquality: 120,
    });
  });

  it('reads contact true as CLOSED (z2m: magnet near)', () => {
    expect(mapZ2mState({ contact: true })).toMatchObject({ fields: [{ metric: 'contact', open: false }] });
    expect(mapZ2mState({ contact: false })).toMatchObject({ fields: [{ metric: 'contact', open: true }] });
  });

  it('maps leak sensors, mmWave presence and smart plugs (power with energy, and energy as a meter)', () => {
    expect(mapZ2mState({ water_leak: true })).toMatchObject({
      fields: [{ metric: 'water_leak', leak: true }],
    });
    expect(mapZ2mState({ presence: false })).toMatchObject({
      fields: [{ metric: 'motion', occupied: false }],
    });
    expect(mapZ2mState({ power: 1520.5, energy: 12.34, state: 'ON', voltage: 229 })).toMatchObject({
      fields: [
        { metric: 'power', watts: 1520.5, energyKwh: 12.34 },
        { metric: 'meter', energyKwh: 12.34 },
      ],
    });
  });

  it('skips wrongly typed fields but keeps the rest; nulls are "not known yet"', () => {
    expect(
      mapZ2mState({ occupancy: 'yes', battery: 140, power: -3, contact: true, water_leak: null }),
    ).toEqual({
      fields: [{ metric: 'contact', open: false }],
      badFields: ['occupancy', 'power', 'battery'],
    });
  });

  it('calls non-objects malformed', () => {
    for (const p of [undefined, null, 'online', 42, [1, 2], true]) expect(mapZ2mState(p)).toBe('malformed');
  });

  it('never throws on thousands of random JSON-ish payloads', () => {
    let seed = 802154;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const keys = [
      'occupancy',
      'presence',
      'contact',
      'water_leak',
      'power',
      'energy',
      'battery',
      'linkquality',
      'x',
    ];
    const values = [
      true,
      false,
      null,
      0,
      -1,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      55.5,
      'str',
      [],
      {},
      undefined,
    ];
    let malformed = 0;
    let bad = 0;
    for (let n = 0; n < 5000; n++) {
      let payload: unknown;
      if (n % 10 === 0) payload = values[Math.floor(rnd() * values.length)];
      else {
        const o: Record<string, unknown> = {};
        for (let k = 0; k < 4; k++)
          o[keys[Math.floor(rnd() * keys.length)]!] = values[Math.floor(rnd() * values.length)];
        payload = o;
      }
      const r = mapZ2mState(payload);
      if (r === 'malformed') malformed++;
      else bad += r.badFields.length;
    }
    expect(malformed).toBeGreaterThan(100);
    expect(bad).toBeGreaterThan(1000);
  });
});
