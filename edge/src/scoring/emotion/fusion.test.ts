import { describe, expect, it } from 'vitest';
import { argmax, fitFusion } from '../../../../tools/emotion/fusion-fit.ts';
import { checkFusion, type EmotionFusion, fuseRow, fusionInput, geometricMeanFusion } from './fusion.ts';

const onehotish = (k: number, sure = 0.7) =>
  Array.from({ length: 7 }, (_, j) => (j === k ? sure : (1 - sure) / 6));

describe('fusing two expression answers', () => {
  it('the unfitted fusion is the normalised geometric mean of the two answers', () => {
    const a = [0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05];
    const b = [0.2, 0.1, 0.1, 0.4, 0.1, 0.05, 0.05];
    const fused = fuseRow(fusionInput(a, b), geometricMeanFusion());
    const g = a.map((v, k) => Math.sqrt(v * b[k]!));
    const sum = g.reduce((x, y) => x + y, 0);
    for (const [k, v] of fused.entries()) expect(v).toBeCloseTo(g[k]! / sum, 10);
    expect(fused.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it("a net's hard zero does not veto the other net", () => {
    const a = [0, 0, 0, 1, 0, 0, 0];
    const b = [0.05, 0.05, 0.05, 0.05, 0.05, 0.7, 0.05];
    const fused = fuseRow(fusionInput(a, b), geometricMeanFusion());
    expect(fused.every(Number.isFinite)).toBe(true);
  });

  it('fitting trusts the net that is right more than the one that guesses', () => {
    // 7 × 40 faces: net A names the true class; net B names a class at random (deterministic sequence).
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 280; i++) {
      const label = i % 7;
      x.push(fusionInput(onehotish(label), onehotish((i * 5 + Math.floor(i / 7)) % 7)));
      y.push(label);
    }
    const pool = fitFusion(x, y, { kind: 'pool' }, 400);
    expect(pool.weights[0]![0]!).toBeGreaterThan(pool.weights[7]![0]! + 0.2);
    expect(x.filter((row, i) => argmax(fuseRow(row, pool)) === y[i]).length).toBe(280);
    const linear = fitFusion(x, y, { kind: 'linear', lambda: 0.01 }, 400);
    expect(x.filter((row, i) => argmax(fuseRow(row, linear)) === y[i]).length).toBe(280);
  });

  it('a manifest fusion of the wrong shape is refused with the reason', () => {
    const good: EmotionFusion = { with: 'mini-xception', ...geometricMeanFusion() };
    expect(checkFusion(good, 'm')).toBe(good);
    expect(() => checkFusion({ ...good, bias: [0, 0] }, 'models/emotion/manifest.json')).toThrow(
      /models\/emotion\/manifest.json: fusion must be/,
    );
    expect(() => checkFusion({ ...good, weights: good.weights.slice(1) }, 'm')).toThrow(/14×7/);
    expect(() =>
      checkFusion({ ...good, weights: good.weights.map((r) => r.map(() => Number.NaN)) }, 'm'),
    ).toThrow();
  });
});
