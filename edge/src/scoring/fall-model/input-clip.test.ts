import { describe, expect, it } from 'vitest';
import { clipSample } from './input-clip.ts';

describe('input clipping to the smallest common range', () => {
  it('clips each axis to ±clipG and passes samples inside the range through untouched', () => {
    const inside = { tMs: 5, x: 3.9, y: -4, z: 0.2 };
    expect(clipSample(inside, 4)).toBe(inside);
    expect(clipSample({ tMs: 6, x: 7.5, y: -9, z: 1 }, 4)).toEqual({ tMs: 6, x: 4, y: -4, z: 1 });
  });
});
