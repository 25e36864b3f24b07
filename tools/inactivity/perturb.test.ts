import { describe, expect, it } from 'vitest';
import type { HomeLog } from './dataset.reader.ts';
import { slowPirs } from './perturb.ts';

const MIN = 60_000;
const log: HomeLog = {
  home: 'h',
  events: [
    { tMs: 0, sensor: 'Living_Door_PIR', on: true },
    { tMs: 1 * MIN, sensor: 'Living_Door_PIR', on: false },
    { tMs: 2 * MIN, sensor: 'Entrance_Maindoor_Magnetic', on: true },
    { tMs: 3 * MIN, sensor: 'Living_Door_PIR', on: true },
    { tMs: 4 * MIN, sensor: 'Living_Door_PIR', on: false },
    { tMs: 30 * MIN, sensor: 'Living_Door_PIR', on: true },
    { tMs: 31 * MIN, sensor: 'Living_Door_PIR', on: false },
  ],
  activities: [],
};

describe('slowPirs', () => {
  it('holds each PIR on 10 min past its last motion, merging holds that overlap, and keeps the rest', () => {
    const slow = slowPirs(log);
    expect(slow?.home).toBe('h-slow-pir');
    expect(slow?.events.map((e) => [e.tMs / MIN, e.sensor.split('_')[1], e.on])).toEqual([
      [0, 'Door', true],
      [2, 'Maindoor', true],
      [14, 'Door', false],
      [30, 'Door', true],
      [41, 'Door', false],
    ]);
  });

  it('makes no copy of a home without PIRs', () => {
    expect(slowPirs({ ...log, events: log.events.filter((e) => !e.sensor.endsWith('PIR')) })).toBeUndefined();
  });
});
