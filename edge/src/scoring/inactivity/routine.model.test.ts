import { describe, expect, it } from 'vitest';
import { RoutineModel } from './routine.model.ts';

describe('RoutineModel', () => {
  it('starts from defaults: short silences by day, long ones at night without a bed mat', () => {
    const m = new RoutineModel();
    const day = m.quantileMin(false, 10, 0.99);
    const night = m.quantileMin(false, 2, 0.99);
    expect(day).toBeGreaterThan(60);
    expect(day).toBeLessThan(200);
    expect(night).toBeGreaterThan(600);
    // With a bed mat, sleep is held, so the night prior is that of a person up at night.
    expect(m.quantileMin(false, 2, 0.99, true)).toBeLessThan(400);
  });

  it('learns that this home is never quiet for long at 10:00', () => {
    const m = new RoutineModel();
    const before = m.quantileMin(false, 10, 0.99);
    for (let d = 0; d < 20; d++) for (let i = 0; i < 6; i++) m.learn(false, 10, 8 + i * 3);
    expect(m.quantileMin(false, 10, 0.99)).toBeLessThan(before / 2);
    expect(m.cdf(false, 10, 60)).toBeGreaterThan(0.97);
  });

  it('learns long afternoon naps as usual', () => {
    const m = new RoutineModel();
    for (let d = 0; d < 20; d++) m.learn(false, 14, 150);
    expect(m.quantileMin(false, 14, 0.99)).toBeGreaterThan(150);
  });

  it('forgets: counts halve over the half-life', () => {
    const m = new RoutineModel({ halfLifeDays: 10 });
    m.advanceToDay(100);
    m.learn(false, 9, 30);
    m.advanceToDay(110);
    const c = m.toJSON().counts;
    expect(c).toHaveLength(1);
    expect(c[0]?.[1]).toBeCloseTo(0.5, 3);
  });

  it('ignores silences shorter than 5 min', () => {
    const m = new RoutineModel();
    m.learn(false, 9, 2);
    expect(m.learned).toBe(0);
  });

  it('round-trips through JSON', () => {
    const m = new RoutineModel();
    m.advanceToDay(5);
    for (let i = 0; i < 50; i++) m.learn(i % 3 === 0, i % 24, 5 + i);
    const back = RoutineModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    for (const h of [0, 7, 13, 22])
      expect(back.quantileMin(false, h, 0.99)).toBeCloseTo(m.quantileMin(false, h, 0.99), 3);
    expect(back.learned).toBe(50);
  });
});
