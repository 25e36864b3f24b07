import type { AccelSample } from '../scorer.ts';

/**
 * Clips each axis to ±clipG before the gate and the features see it. The wrist sources were recorded with
 * different ranges (WEDA-FALL's watch ±4 g, UMAFall and SmartFallMM ±8 g, the band ±16 g): a model trained on
 * unclipped data could tell the sources apart by how high an impact goes, and learn the source instead of
 * the fall. Clipping everything — training windows and the band's live stream alike — to the smallest range
 * of a source with falls (4 g) removes that cue. (WISDM's watch clips at 2 g: its ADLs stay milder than a
 * 4 g band would see them, which makes its false-alarm figure optimistic; the model card says so.)
 */
export function clipSample(s: AccelSample, clipG: number): AccelSample {
  const c = (v: number) => Math.min(clipG, Math.max(-clipG, v));
  if (Math.abs(s.x) <= clipG && Math.abs(s.y) <= clipG && Math.abs(s.z) <= clipG) return s;
  return { tMs: s.tMs, x: c(s.x), y: c(s.y), z: c(s.z) };
}
