import { describe, expect, it } from 'vitest';
import type { HomeLog } from './dataset.reader.ts';
import { figures, fitThresholds, type HomeFloor, homeFloor } from './silence-floor.ts';

const MIN = 60_000;
const t0 = Date.UTC(2024, 0, 1, 8, 0, 0); // 08:00 local (local wall time encoded as UTC)
const at = (min: number) => t0 + min * MIN;

/** One day: a kitchen PIR, 2 h on the sofa mat, a 90-min silence, an outing, and a flush. */
function log(): HomeLog {
  const ev = (min: number, sensor: string, on: boolean) => ({ tMs: at(min), sensor, on });
  const events = [
    ev(0, 'Kitchen_Door_PIR', true),
    ev(1, 'Kitchen_Door_PIR', false),
    ev(10, 'Living_Seat_Pressure', true),
    ev(130, 'Living_Seat_Pressure', false), // 2 h sitting: not silence
    ev(131, 'Living_Door_PIR', true),
    ev(132, 'Living_Door_PIR', false),
    // 90 min of silence at home, then the front door and 3 h out (labelled Leaving)
    ev(222, 'Entrance_Maindoor_Magnetic', true),
    ev(223, 'Entrance_Maindoor_Magnetic', false),
    ev(400, 'Entrance_Maindoor_Magnetic', true),
    ev(401, 'Bathroom_Toilet_Flush', true),
    ev(402, 'Bathroom_Toilet_Flush', false),
    ev(24 * 60, 'Kitchen_Door_PIR', true),
  ];
  return {
    home: 'test',
    events,
    activities: [{ startMs: at(224), endMs: at(399), activity: 'Leaving' }],
  };
}

describe('silence floor', () => {
  it('counts neither time on a held mat nor time labelled out as silence', () => {
    const h = homeFloor(log(), 8, 3)!;
    const long = h.silences.filter((s) => s.minutes >= 30).map((s) => Math.round(s.minutes));
    // 132 → 222 at home (90 min); 223 → 224 before leaving is short; after the flush, 402 → end of day.
    expect(long).toEqual([90, 1038]);
    expect(h.silences.some((s) => s.startMs > at(10) && s.startMs < at(130) && s.minutes > 5)).toBe(false);
  });

  it('skips a home without labels', () => {
    expect(homeFloor({ ...log(), activities: [] }, 8, 3)).toBeUndefined();
  });

  it('fits thresholds within the budget and scores them', () => {
    const h: HomeFloor = {
      home: 'x',
      days: 30,
      silences: [
        { startMs: at(0), minutes: 100, last: 'A:off' },
        { startMs: at(60), minutes: 50, last: 'B:off' },
      ],
      collapses: [
        { atMs: at(0), startMs: at(0), last: 'A:off' },
        { atMs: at(60), startMs: at(60), last: 'B:off' },
      ],
    };
    expect(figures([h], () => 120).falseAlarmsPer30Days).toBe(0);
    expect(figures([h], () => 45).falseAlarmsPer30Days).toBe(2);
    // A budget of one alarm per 30 days lets only one context go below its silence.
    const fit = fitThresholds([h], (_h, _t, last) => last, 1);
    expect(fit.figures.falseAlarmsPer30Days).toBeLessThanOrEqual(1);
    expect(fit.figures.medianDelayMin).toBeLessThan(120);
    const none = fitThresholds([h], (_h, _t, last) => last, 0);
    expect(none.thresholds.get('A:off')).toBeGreaterThan(100);
    expect(none.thresholds.get('B:off')).toBeGreaterThan(50);
  });
});
