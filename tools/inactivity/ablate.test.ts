import { describe, expect, it } from 'vitest';
import { ablations } from './ablate.ts';
import type { HomeLog } from './dataset.reader.ts';

const log: HomeLog = {
  home: 'h',
  events: [
    { tMs: 1, sensor: 'Kitchen_Door_PIR', on: true },
    { tMs: 2, sensor: 'Living_Seat_Pressure', on: true },
    { tMs: 3, sensor: 'Kitchen_Fridge_Magnetic', on: true },
    { tMs: 4, sensor: 'Bathroom_Toilet_Flush', on: true },
  ],
  activities: [{ startMs: 0, endMs: 5, activity: 'Snack' }],
};

describe('ablations', () => {
  it('takes out the motion sensors, or the mats, and keeps the rest and the labels', () => {
    const [noMotion, noMats] = ablations(log);
    expect(noMotion?.home).toBe('h-no-motion');
    expect(noMotion?.events.map((e) => e.sensor)).toEqual([
      'Living_Seat_Pressure',
      'Kitchen_Fridge_Magnetic',
      'Bathroom_Toilet_Flush',
    ]);
    expect(noMats?.home).toBe('h-no-mats');
    expect(noMats?.events.some((e) => e.sensor.endsWith('_Pressure'))).toBe(false);
    expect(noMats?.activities).toEqual(log.activities);
  });

  it('makes no copy of a home that has none of that kind', () => {
    const reeds = { ...log, events: log.events.filter((e) => !/PIR|Pressure/.test(e.sensor)) };
    expect(ablations(reeds)).toEqual([]);
  });
});
