import { describe, expect, it } from 'vitest';
import { findImpact, resample } from './falls.ts';

describe('resampling to the band rate', () => {
  it('interpolates irregular 20 Hz input onto a regular 50 Hz grid', () => {
    const input = [
      { tMs: 0, x: 0, y: 0, z: 1 },
      { tMs: 48, x: 0.48, y: 0, z: 1 },
      { tMs: 100, x: 1, y: 0, z: 1 },
    ];
    const out = resample(input, 50);
    expect(out.map((s) => s.tMs)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(out[1]!.x).toBeCloseTo(0.2, 5);
    expect(out[3]!.x).toBeCloseTo(0.6, 5);
  });

  it('averages faster input over each output step before downsampling (anti-aliasing), keeping slow content', () => {
    // 100 Hz input: a 1 g offset plus a 50 Hz alternation (above the 25 Hz Nyquist rate of 50 Hz output).
    const input = Array.from({ length: 201 }, (_, i) => ({
      tMs: i * 10,
      x: 1 + (i % 2 ? 0.5 : -0.5),
      y: 0,
      z: 0,
    }));
    const out = resample(input, 50);
    expect(out).toHaveLength(101);
    // Plain interpolation at 20 ms steps would sample every second input and keep the alternation as a 0.5 g offset.
    for (const s of out.slice(1, -1)) expect(Math.abs(s.x - 1)).toBeLessThan(0.2);
  });

  it('finds the impact as the magnitude peak', () => {
    const s = [0, 1, 2, 3].map((i) => ({ tMs: i * 20, x: 0, y: i === 2 ? 4 : 1, z: 0 }));
    expect(findImpact(s)).toMatchObject({ index: 2, tMs: 40, peakG: 4 });
  });
});
