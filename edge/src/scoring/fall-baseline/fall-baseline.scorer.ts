import { magnitude } from '../../datasets/falls.ts';
import type { AccelSample, Detection, Scorer, ScorerFactory } from '../scorer.ts';

/**
 * The classic threshold baseline (impact peak, then stillness): a hard impact above `impactG`, followed
 * by a quiet spell — the standard deviation of |a| between 1 s and 2 s after the impact below `stillG`.
 * Honest and cheap; the trained model replaces it behind the same interface.
 */
export interface BaselineParams {
  impactG: number;
  stillG: number;
  settleMs: number;
  stillSpanMs: number;
}

export const BASELINE_DEFAULTS: BaselineParams = {
  impactG: 2.5,
  stillG: 0.2,
  settleMs: 1000,
  stillSpanMs: 1000,
};

export function createBaselineFallScorer(params: Partial<BaselineParams> = {}): Scorer {
  const p = { ...BASELINE_DEFAULTS, ...params };
  let impact: { tMs: number; peakG: number } | undefined;
  let quiet: number[] = [];

  return {
    id: 'fall-baseline',
    model: { name: 'fall-threshold', version: '1' },
    push(sample: AccelSample): Detection | undefined {
      const g = magnitude(sample);
      if (impact && sample.tMs - impact.tMs > p.settleMs + p.stillSpanMs) {
        const decided = decide(impact, quiet, sample.tMs);
        impact = undefined;
        quiet = [];
        if (decided) return decided;
      }
      if (!impact && g >= p.impactG) impact = { tMs: sample.tMs, peakG: g };
      else if (impact && sample.tMs - impact.tMs <= p.settleMs && g > impact.peakG)
        impact = { tMs: sample.tMs, peakG: g };
      else if (impact && sample.tMs - impact.tMs > p.settleMs) quiet.push(g);
      return undefined;
    },
    reset() {
      impact = undefined;
      quiet = [];
    },
  };

  function decide(
    hit: { tMs: number; peakG: number },
    after: number[],
    nowMs: number,
  ): Detection | undefined {
    if (after.length < 3) return undefined;
    const mean = after.reduce((a, b) => a + b, 0) / after.length;
    const sd = Math.sqrt(after.reduce((a, b) => a + (b - mean) ** 2, 0) / after.length);
    if (sd >= p.stillG) return undefined;
    // Confidence grows with the impact and with the stillness after it.
    const value = Math.min(1, 0.5 + 0.1 * (hit.peakG - p.impactG) + 0.5 * (1 - sd / p.stillG));
    return {
      kind: 'fall',
      severity: 'critical',
      occurredAtMs: hit.tMs,
      decidedAtMs: nowMs,
      score: { value: Math.round(value * 1000) / 1000, model: { name: 'fall-threshold', version: '1' } },
      evidence: {
        peakG: Math.round(hit.peakG * 100) / 100,
        postImpactSdG: Math.round(sd * 1000) / 1000,
        restingG: Math.round(mean * 100) / 100,
      },
    };
  }
}

export const createBaselineFallScorerFactory: ScorerFactory = async () => createBaselineFallScorer();
