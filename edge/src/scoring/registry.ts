import { createBaselineFallScorerFactory } from './fall-baseline/fall-baseline.scorer.ts';
import { createFallModelScorerFactory } from './fall-model/fall-model.scorer.ts';
import type { ScorerFactory } from './scorer.ts';

/** Scorers by the name the gateway config uses. */
export const scorers = {
  'fall-baseline': createBaselineFallScorerFactory,
  'fall-model': createFallModelScorerFactory,
} satisfies Record<string, ScorerFactory>;

export type ScorerName = keyof typeof scorers;
