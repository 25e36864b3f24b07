import { describe, expect, it } from 'vitest';
import type { ResidentDaily } from '../../../contracts/src/index.ts';
import { ManualClock } from '../clock.ts';
import { DailySummary } from './daily-summary.ts';

describe('daily summary', () => {
  it('folds a day of readings into a few numbers and hands them over at local midnight', () => {
    const clock = new ManualClock(new Date(2026, 10, 22, 7, 0).getTime());
    const sent: ResidentDaily[] = [];
    const d = new DailySummary({ gatewayId: 'gw-1', residentId: 'res-1' }, clock, (s) => sent.push(s));
    d.start();
    const at = (h: number, m: number) => new Date(2026, 10, 22, h, m).getTime();
    for (const t of [at(7, 0), at(7, 0) + 20_000, at(7, 1), at(12, 30)]) d.activity(t); // three distinct minutes
    for (const bpm of [62, 80, 71, 0]) d.heartRate(bpm);
    d.meter('w1:water_l', 1000);
    d.meter('w1:water_l', 1085.5);
    d.meter('e1:electricity_kwh', 20.0);
    d.meter('e1:electricity_kwh', 22.5);
    clock.advanceTo(new Date(2026, 10, 23, 0, 0, 1).getTime());

    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      schema: 1,
      gatewayId: 'gw-1',
      residentId: 'res-1',
      day: '2026-11-22',
      dayStart: new Date(2026, 10, 22).toISOString(),
      activeMinutes: 3,
      heartRate: { min: 62, max: 80, mean: 71 },
      waterLitres: 85.5,
      electricityKwh: 2.5,
    });
    // The next day starts empty, and its meter use counts from yesterday's last register.
    d.meter('w1:water_l', 1090.5);
    expect(d.summary()).toMatchObject({ day: '2026-11-23', activeMinutes: 0, waterLitres: 5 });
    expect(d.summary().heartRate).toBeUndefined();
    d.stop();
  });
});
