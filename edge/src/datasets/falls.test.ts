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

  it('finds the impact as the magnitude peak', () => {
    const s = [0, 1, 2, 3].map((i) => ({ tMs: i * 20, x: 0, y: i === 2 ? 4 : 1, z: 0 }));
    expect(findImpact(s)).toMatchObject({ index: 2, tMs: 40, peakG: 4 });
  });
});
