import { describe, expect, it } from 'vitest';
import { extractFeatures, featureCount, featureNames, summaryEvidence } from './features.ts';

const layout = { rateHz: 50, preSamples: 100, postSamples: 100, binSamples: 10 };

/** A synthetic fall: upright (1 g on z), free fall, a 4 g impact, then lying still on the side (1 g on x). */
function syntheticFall(): Float32Array {
  const xyz = new Float32Array(201 * 3);
  for (let i = 0; i < 201; i++) {
    const lying = i > 110;
    const g = i >= 85 && i < 100 ? 0.3 : i === 100 ? 4 : 1;
    xyz[i * 3] = lying ? g : 0.05 * Math.sin(i);
    xyz[i * 3 + 1] = 0.02;
    xyz[i * 3 + 2] = lying ? 0.02 : g;
  }
  return xyz;
}

function rotate(xyz: Float32Array, yaw: number, pitch: number): Float32Array {
  const [cy, sy, cp, sp] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch)];
  const out = new Float32Array(xyz.length);
  for (let i = 0; i < xyz.length; i += 3) {
    const [x, y, z] = [xyz[i]!, xyz[i + 1]!, xyz[i + 2]!];
    const x1 = cy * x - sy * y;
    const y1 = sy * x + cy * y;
    out[i] = cp * x1 + sp * z;
    out[i + 1] = y1;
    out[i + 2] = -sp * x1 + cp * z;
  }
  return out;
}

describe('fall window features', () => {
  it('has one name per feature', () => {
    expect(featureNames(layout)).toHaveLength(featureCount(layout));
    expect(new Set(featureNames(layout)).size).toBe(featureCount(layout));
  });

  it('does not change when the band is worn rotated', () => {
    const a = extractFeatures(syntheticFall(), layout);
    const b = extractFeatures(rotate(syntheticFall(), 0.7, -1.1), layout);
    a.forEach((v, i) => {
      expect(b[i]).toBeCloseTo(v, 3);
    });
  });

  it('sees the impact, the free fall and the tilt of a fall', () => {
    const ev = summaryEvidence(extractFeatures(syntheticFall(), layout));
    expect(ev.peakG).toBeCloseTo(4, 3);
    expect(ev.freeFallMinG).toBeLessThan(0.5);
    expect(ev.tiltDeg).toBeGreaterThan(80);
    expect(ev.post2SdG).toBeLessThan(0.05);
  });

  describe('with the activity and impact features (model 2.1)', () => {
    const full = { ...layout, activityFeatures: true, impactFeatures: true };
    const value = (xyz: Float32Array, name: string) =>
      extractFeatures(xyz, full)[featureNames(full).indexOf(name)]!;
    /** Lowered onto a mattress: no free fall, a soft 2 g bump spread over 0.3 s, then lying on the side. */
    function ontoABed(): Float32Array {
      const xyz = new Float32Array(201 * 3);
      for (let i = 0; i < 201; i++) {
        const lying = i > 110;
        const g = Math.abs(i - 100) < 8 ? 2 - Math.abs(i - 100) / 8 : 1;
        xyz[i * 3] = lying ? g : 0.05 * Math.sin(i);
        xyz[i * 3 + 1] = 0.02;
        xyz[i * 3 + 2] = lying ? 0.02 : g;
      }
      return xyz;
    }

    it('names every feature once and stays rotation-invariant', () => {
      expect(featureNames(full)).toHaveLength(featureCount(full));
      expect(featureNames(full).slice(-3)).toEqual(['descentGs', 'impactWidthS', 'postTurnDeg']);
      const a = extractFeatures(syntheticFall(), full);
      const b = extractFeatures(rotate(syntheticFall(), -0.4, 2.2), full);
      a.forEach((v, i) => {
        expect(b[i]).toBeCloseTo(v, 3);
      });
    });

    it('tells a drop onto a hard floor from being lowered onto a bed', () => {
      // 15 samples at 0.3 g before the impact: 0.7 g unloaded for 0.3 s.
      expect(value(syntheticFall(), 'descentGs')).toBeCloseTo(0.21, 2);
      expect(value(ontoABed(), 'descentGs')).toBe(0);
      expect(value(syntheticFall(), 'impactWidthS')).toBeCloseTo(0.02, 3);
      expect(value(ontoABed(), 'impactWidthS')).toBeGreaterThan(0.15);
    });
  });

  describe('with the shape features (model 3.1 candidates)', () => {
    const shaped = { ...layout, activityFeatures: true, impactFeatures: true, shapeFeatures: true };
    const value = (xyz: Float32Array, name: string) =>
      extractFeatures(xyz, shaped)[featureNames(shaped).indexOf(name)]!;
    /** A hand hitting a table: a short swing down, a 4 g blow, the hand resting where it was, palm down. */
    function tableHit(): Float32Array {
      const xyz = new Float32Array(201 * 3);
      for (let i = 0; i < 201; i++) {
        const g = i >= 96 && i < 100 ? 0.6 : i === 100 ? 4 : 1;
        xyz[i * 3] = 0.03 * Math.sin(i);
        xyz[i * 3 + 1] = 0.02;
        xyz[i * 3 + 2] = g;
      }
      return xyz;
    }

    it('names every feature once and stays rotation-invariant', () => {
      expect(featureNames(shaped)).toHaveLength(featureCount(shaped));
      expect(new Set(featureNames(shaped)).size).toBe(featureCount(shaped));
      expect(featureNames(shaped).slice(-4)).toEqual([
        'unloadedRunS',
        'preTurnDeg',
        'postTurnSumDeg',
        'restAfterS',
      ]);
      const a = extractFeatures(syntheticFall(), shaped);
      const b = extractFeatures(rotate(syntheticFall(), 1.3, 0.4), shaped);
      a.forEach((v, i) => {
        expect(b[i]).toBeCloseTo(v, 2);
      });
    });

    it('tells a fall (a long drop, the arm turned, then still) from a table hit', () => {
      // The synthetic fall: 15 samples under 0.8 g (0.3 s); the table hit: 4 (0.08 s).
      expect(value(syntheticFall(), 'unloadedRunS')).toBeCloseTo(0.3, 3);
      expect(value(tableHit(), 'unloadedRunS')).toBeCloseTo(0.08, 3);
      // Lying on the side from 0.2 s after the impact: the turn is over before the post-impact bins start.
      expect(value(syntheticFall(), 'postTurnSumDeg')).toBeLessThan(5);
      expect(value(tableHit(), 'preTurnDeg')).toBeLessThan(5);
      // Both come to rest at once here (0.5 s after the impact, the first bin looked at).
      expect(value(syntheticFall(), 'restAfterS')).toBeCloseTo(0.5, 3);
    });
  });
});
