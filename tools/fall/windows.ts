// Turns recordings into labelled feature vectors with the scorer's own trigger and feature code.
import { findImpact, type RecordingInfo } from '../../edge/src/datasets/falls.ts';
import {
  extractFeatures,
  type FeatureLayout,
  featureCount,
} from '../../edge/src/scoring/fall-model/features.ts';
import { ImpactTrigger, type TriggerParams } from '../../edge/src/scoring/fall-model/impact-trigger.ts';
import { loadAtBandRate } from './recordings.ts';

/** 1 = the fall's impact, 0 = not a fall, -1 = near a fall's impact but not it (left out of training). */
export type WindowLabel = 1 | 0 | -1;

export interface WindowSet {
  features: Float32Array[];
  labels: WindowLabel[];
  /** Index of each window's recording in `recordings`. */
  recording: number[];
  peakTMs: number[];
  recordings: { info: RecordingInfo; impactMs?: number }[];
}

/** Fall-recording windows in [impact - before, impact + after] other than the impact are ambiguous. */
const AMBIGUOUS_BEFORE_MS = 3_000;
const AMBIGUOUS_AFTER_MS = 5_000;

export function buildWindows(
  dir: string,
  infos: readonly RecordingInfo[],
  trigger: TriggerParams,
  layout: FeatureLayout,
  positionInput: boolean,
): WindowSet {
  const set: WindowSet = { features: [], labels: [], recording: [], peakTMs: [], recordings: [] };
  const n = featureCount(layout);
  for (const info of infos) {
    const samples = loadAtBandRate(dir, info);
    const impactMs = info.label === 'fall' ? findImpact(samples).tMs : undefined;
    const rec = set.recordings.push(impactMs === undefined ? { info } : { info, impactMs }) - 1;
    const trig = new ImpactTrigger(trigger);
    for (const s of samples) {
      for (const w of trig.push(s)) {
        const f = new Float32Array(n + (positionInput ? 1 : 0));
        extractFeatures(w.xyz, layout, f);
        if (positionInput) f[n] = info.position === 'wrist' ? 1 : 0;
        let label: WindowLabel = 0;
        if (impactMs !== undefined) {
          if (w.peakTMs === impactMs) label = 1;
          else if (w.peakTMs >= impactMs - AMBIGUOUS_BEFORE_MS && w.peakTMs <= impactMs + AMBIGUOUS_AFTER_MS)
            label = -1;
        }
        set.features.push(f);
        set.labels.push(label);
        set.recording.push(rec);
        set.peakTMs.push(w.peakTMs);
      }
    }
  }
  return set;
}

export interface ThresholdPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
}

/**
 * Recording-level operating curve from window scores, mirroring the scorer: a fall recording is caught
 * when a window peaking within [impact - 2 s, impact + 3 s] (decided by impact + 5 s) reaches the
 * threshold; an ADL recording is a false alarm when any window does. (The confirm policy's dedupe is not
 * modelled here; the final figures come from the real replay in evaluate.ts.)
 */
export function recordingCurve(
  set: WindowSet,
  scores: Float32Array,
  thresholds: number[],
  source?: string,
): ThresholdPoint[] {
  const best = new Float32Array(set.recordings.length);
  for (let i = 0; i < scores.length; i++) {
    const r = set.recording[i]!;
    const rec = set.recordings[r]!;
    if (rec.impactMs !== undefined) {
      const dt = set.peakTMs[i]! - rec.impactMs;
      if (dt < -2_000 || dt > 3_000) continue;
    }
    best[r] = Math.max(best[r]!, scores[i]!);
  }
  return thresholds.map((threshold) => {
    let tp = 0;
    let falls = 0;
    let tn = 0;
    let adls = 0;
    set.recordings.forEach((rec, r) => {
      if (source !== undefined && rec.info.source !== source) return;
      if (rec.info.label === 'fall') {
        falls++;
        if (best[r]! >= threshold) tp++;
      } else {
        adls++;
        if (best[r]! < threshold) tn++;
      }
    });
    return { threshold, sensitivity: falls ? tp / falls : 1, specificity: adls ? tn / adls : 1 };
  });
}
