import { EMOTIONS } from './expressions.ts';

/**
 * How the trained head's answer and the mini-Xception's are combined into one (models/emotion manifest
 * `fusion`, fitted by `npm run fuse:emotion` on faces neither net trained on): a linear layer on the two nets'
 * log-probabilities, both in EMOTIONS order and each already averaged over the crop and its mirror.
 * logits[k] = Σ_j in[j] · weights[j][k] + bias[k], in = [log p_head (7), log p_mx (7)]; then a softmax.
 * With weights 0.5 on each diagonal and no bias it is the geometric mean of the two answers.
 */
export interface EmotionFusion {
  with: 'mini-xception';
  /** 14 rows (head's 7 classes, then the mini-Xception's 7) × 7 columns (EMOTIONS). */
  weights: number[][];
  bias: number[];
  /** What it was fitted on and how it was chosen (for the card; not read at run time). */
  fit?: Record<string, string | number>;
}

export const FUSION_INPUTS = 2 * EMOTIONS.length;
/** Probabilities are floored before the log so a net's hard zero cannot veto the other net. */
const FLOOR = 1e-6;

export function fusionInput(head: ArrayLike<number>, mx: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (const p of [head, mx])
    for (let k = 0; k < EMOTIONS.length; k++) out.push(Math.log(Math.max(FLOOR, p[k]!)));
  return out;
}

/** The fused probabilities (EMOTIONS order) of one face from its input row (fusionInput). */
export function fuseRow(input: readonly number[], f: Pick<EmotionFusion, 'weights' | 'bias'>): number[] {
  const logits = f.bias.map((b, k) => input.reduce((a, v, j) => a + v * f.weights[j]![k]!, b));
  const max = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The geometric mean of the two answers: the fusion that needs no fitting (and the prior a fit shrinks to). */
export function geometricMeanFusion(): Pick<EmotionFusion, 'weights' | 'bias'> {
  const k = EMOTIONS.length;
  return {
    weights: Array.from({ length: FUSION_INPUTS }, (_, j) =>
      Array.from({ length: k }, (_, c) => (j % k === c ? 0.5 : 0)),
    ),
    bias: new Array<number>(k).fill(0),
  };
}

/** A manifest's fusion checked once at load: shapes and finite numbers, else a readable error. */
export function checkFusion(f: EmotionFusion, where: string): EmotionFusion {
  const k = EMOTIONS.length;
  const ok =
    f.with === 'mini-xception' &&
    Array.isArray(f.weights) &&
    f.weights.length === FUSION_INPUTS &&
    f.weights.every((r) => Array.isArray(r) && r.length === k && r.every(Number.isFinite)) &&
    Array.isArray(f.bias) &&
    f.bias.length === k &&
    f.bias.every(Number.isFinite);
  if (!ok)
    throw new Error(
      `${where}: fusion must be {with: 'mini-xception', weights: ${FUSION_INPUTS}×${k}, bias: ${k}}`,
    );
  return f;
}
