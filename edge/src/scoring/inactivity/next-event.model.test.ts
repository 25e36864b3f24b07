import { describe, expect, it } from 'vitest';
import { deviceKey, NextEventModel } from './next-event.model.ts';

describe('NextEventModel', () => {
  it('counts quick follow-ups only from another device: a PIR re-firing by itself is not one (chatter)', () => {
    const m = new NextEventModel();
    const key = deviceKey('bath_pir', false);
    // A ghost PIR: its own on/off every 30 s, then 40 min of silence.
    for (let i = 0; i < 200; i++) m.learn([key], 10, 0.5, true);
    for (let i = 0; i < 10; i++) m.learn([key], 10, 40, true);
    const ghost = m.histogram(key, 10);
    expect(ghost.shortMass).toBe(0);
    expect(ghost.longMass).toBe(10);
    // The flush that follows the basin PIR within a minute is a quick follow-up.
    for (let i = 0; i < 30; i++) m.learn([key], 10, 0.5, false);
    expect(m.histogram(key, 10).shortMass).toBe(30);
  });

  it('pools neighbouring hours, forgets, and survives toJSON/fromJSON', () => {
    const m = new NextEventModel();
    m.learn(['seat:off', '*'], 9, 2, false);
    m.learn(['seat:off', '*'], 10, 12, false);
    const h = m.histogram('seat:off', 10);
    expect(h.shortMass).toBeCloseTo(0.7, 6);
    expect(h.longMass).toBeCloseTo(1, 6);
    m.decay(0.5);
    expect(m.histogram('*', 10).longMass).toBeCloseTo(0.5, 6);
    const back = NextEventModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.histogram('seat:off', 10)).toEqual(m.histogram('seat:off', 10));
    expect(() => NextEventModel.fromJSON({ v: 2 } as never)).toThrow(/v2/);
  });
});
