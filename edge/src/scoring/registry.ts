import { createBaselineFallScorerFactory } from './fall-baseline/fall-baseline.scorer.ts';
import type { ScorerFactory } from './scorer.ts';

/** Scorers by the name the gateway config uses. */
export const scorers = {
  'fall-baseline': createBaselineFallScorerFactory,
} satisfies Record<string, ScorerFactory>;

export type ScorerName = keyof typeof scorers;
