import { describe, expect, it } from 'vitest';
import type { AccelSample } from '../scorer.ts';
import { butterworthSections, InputConditioner } from './input-conditioner.ts';

const RATE = 50;
const sine = (hz: number, n: number, offset = 1): AccelSample[] =>
  Array.from({ length: n }, (_, i) => ({
    tMs: i * 20,
    x: 0,
    y: 0,
    z: offset + Math.sin((2 * Math.PI * hz * i) / RATE),
  }));
const amplitude = (s: readonly AccelSample[], offset = 1) =>
  Math.max(...s.slice(-100).map((v) => Math.abs(v.z - offset)));

describe('input conditioning (clip, then low-pass) of the band stream', () => {
  it('passes a signal at rest through unchanged from the very first sample (no start-up ringing)', () => {
    const rest = Array.from({ length: 50 }, (_, i) => ({ tMs: i * 20, x: 0.1, y: -0.3, z: 0.95 }));
    const out = InputConditioner.apply({ lowPassHz: 8 }, RATE, rest);
    for (const s of out) {
      expect(s.x).toBeCloseTo(0.1, 9);
      expect(s.y).toBeCloseTo(-0.3, 9);
      expect(s.z).toBeCloseTo(0.95, 9);
    }
  });

  it('keeps slow movement and removes what lies above the cut-off', () => {
    expect(amplitude(InputConditioner.apply({ lowPassHz: 8 }, RATE, sine(2, 400)))).toBeGreaterThan(0.97);
    expect(amplitude(InputConditioner.apply({ lowPassHz: 8 }, RATE, sine(8, 400)))).toBeCloseTo(
      Math.SQRT1_2,
      1,
    );
    expect(amplitude(InputConditioner.apply({ lowPassHz: 8 }, RATE, sine(20, 400)))).toBeLessThan(0.03);
  });

  it('clips before filtering, is the identity without conditioning, and starts afresh after reset', () => {
    const spike = [
      ...sine(0, 20),
      { tMs: 400, x: 0, y: 0, z: 9 },
      ...sine(0, 20).map((s) => ({ ...s, tMs: s.tMs + 420 })),
    ];
    const clipped = InputConditioner.apply({ clipG: 4 }, RATE, spike);
    expect(Math.max(...clipped.map((s) => s.z))).toBe(4);
    const both = InputConditioner.apply({ clipG: 4, lowPassHz: 8 }, RATE, spike);
    expect(Math.max(...both.map((s) => s.z))).toBeLessThan(4);
    expect(InputConditioner.apply({}, RATE, spike)).toEqual(spike);
    const c = new InputConditioner({ lowPassHz: 8 }, RATE);
    c.push({ tMs: 0, x: 0, y: 0, z: 1 });
    c.reset();
    expect(c.push({ tMs: 20, x: 0, y: 0, z: -1 }).z).toBeCloseTo(-1, 9);
  });

  it('refuses a cut-off at or above the Nyquist rate', () => {
    expect(() => butterworthSections(25, RATE)).toThrow(RangeError);
    expect(butterworthSections(8, RATE)).toHaveLength(2);
  });
});
