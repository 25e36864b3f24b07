import type { ResidentDaily } from '../../../../contracts/src/index.ts';
import type { DailyAffect } from './affect.scorer.ts';

/**
 * The part of the resident's daily summary that comes from the cameras: valence and the per-expression shares,
 * only for a day with enough faces to count (a day with cameras off, down or nobody seen says nothing, as the
 * scorer itself treats it).
 */
export function dailyAffectFields(
  a: DailyAffect | undefined,
): Pick<ResidentDaily, 'affect' | 'affectDetail'> {
  if (!a?.counted || a.valence === undefined) return {};
  return {
    affect: a.valence,
    affectDetail: {
      frames: a.frames,
      faces: a.faces,
      negativeShare: Math.min(1, a.negativeShare),
      shares: { ...a.shares },
    },
  };
}
