import { EMOTIONS } from '../../edge/src/scoring/emotion/expressions.ts';
import {
  type EmotionFusion,
  FUSION_INPUTS,
  fuseRow,
  geometricMeanFusion,
} from '../../edge/src/scoring/emotion/fusion.ts';

/**
 * The fusions fuse:emotion chooses between, from fewest parameters to most:
 * - `geomean`: the geometric mean of the two answers (nothing fitted);
 * - `pool`: a weight per net and a bias per class (9 numbers): how far to trust each net, and the class priors;
 * - `linear`: every weight free (14 × 7 + 7), pulled towards the geometric mean by an L2 penalty `lambda`.
 * Fitted by full-batch Adam on the mean cross-entropy; convex in each case, so the seed does not matter.
 */
export type FusionKind = 'geomean' | 'pool' | 'linear';
export interface FusionCandidate {
  kind: FusionKind;
  lambda?: number;
}
export const candidateName = (c: FusionCandidate) => (c.kind === 'linear' ? `linear λ=${c.lambda}` : c.kind);
type Params = Pick<EmotionFusion, 'weights' | 'bias'>;

const K = EMOTIONS.length;

export function fitFusion(x: number[][], y: number[], c: FusionCandidate, iterations = 1500): Params {
  const prior = geometricMeanFusion();
  if (c.kind === 'geomean') return prior;
  const n = x.length;
  // Parameters as one flat vector: pool = [a, b, bias×7]; linear = [W (14×7 row-major), bias×7].
  const size = c.kind === 'pool' ? 2 + K : FUSION_INPUTS * K + K;
  const theta = new Float64Array(size);
  if (c.kind === 'pool') theta.set([0.5, 0.5]);
  else
    prior.weights.forEach((row, j) => {
      theta.set(row, j * K);
    });
  const toParams = (t: Float64Array): Params =>
    c.kind === 'pool'
      ? {
          weights: Array.from({ length: FUSION_INPUTS }, (_, j) =>
            Array.from({ length: K }, (_, k) => (j % K === k ? t[j < K ? 0 : 1]! : 0)),
          ),
          bias: Array.from(t.subarray(2)),
        }
      : {
          weights: Array.from({ length: FUSION_INPUTS }, (_, j) =>
            Array.from(t.subarray(j * K, (j + 1) * K)),
          ),
          bias: Array.from(t.subarray(FUSION_INPUTS * K)),
        };
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const lr = 0.05;
  for (let it = 1; it <= iterations; it++) {
    const p = toParams(theta);
    const grad = new Float64Array(size);
    for (let i = 0; i < n; i++) {
      const probs = fuseRow(x[i]!, p);
      const xi = x[i]!;
      for (let k = 0; k < K; k++) {
        const g = (probs[k]! - (y[i] === k ? 1 : 0)) / n;
        if (c.kind === 'pool') {
          grad[0]! += xi[k]! * g;
          grad[1]! += xi[K + k]! * g;
          grad[2 + k]! += g;
        } else {
          for (let j = 0; j < FUSION_INPUTS; j++) grad[j * K + k]! += xi[j]! * g;
          grad[FUSION_INPUTS * K + k]! += g;
        }
      }
    }
    if (c.kind === 'linear') {
      const lambda = c.lambda ?? 0;
      for (let j = 0; j < FUSION_INPUTS; j++)
        for (let k = 0; k < K; k++)
          grad[j * K + k]! += 2 * lambda * (theta[j * K + k]! - prior.weights[j]![k]!);
    }
    for (let q = 0; q < size; q++) {
      m[q] = 0.9 * m[q]! + 0.1 * grad[q]!;
      v[q] = 0.999 * v[q]! + 0.001 * grad[q]! ** 2;
      const mh = m[q]! / (1 - 0.9 ** it);
      const vh = v[q]! / (1 - 0.999 ** it);
      theta[q]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return toParams(theta);
}

export const argmax = (p: readonly number[]) => p.reduce((best, v, k) => (v > p[best]! ? k : best), 0);

/** Stratified k folds of row indices (by label), seeded by the caller's shuffle. */
export function stratifiedFolds(y: number[], k: number, shuffled: number[]): number[][] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  const next = new Array<number>(K).fill(0);
  for (const i of shuffled) {
    const label = y[i]!;
    folds[next[label]! % k]!.push(i);
    next[label]! += 1;
  }
  return folds;
}
