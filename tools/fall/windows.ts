// Turns recordings into labelled feature vectors with the scorer's own trigger and feature code.
import { findImpact, type RecordingInfo } from '../../edge/src/datasets/falls.ts';
import {
  extractFeatures,
  type FeatureLayout,
  featureCount,
} from '../../edge/src/scoring/fall-model/features.ts';
import { ImpactTrigger, type TriggerParams } from '../../edge/src/scoring/fall-model/impact-trigger.ts';
import {
  InputConditioner,
  type InputConditioning,
} from '../../edge/src/scoring/fall-model/input-conditioner.ts';
import { type AccelSample, BAND_RATE_HZ } from '../../edge/src/scoring/scorer.ts';
import { loadAtBandRate } from './recordings.ts';
import { WindowCache } from './window-cache.ts';

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

/**
 * Hard-negative mining: besides the gate's own candidates, every local |a| maximum over the gate in an ADL
 * recording (peaks the gate merged into a larger one, or that a later stream position would make the
 * candidate) becomes a negative window too. The gateway can meet each of them as a candidate, depending on
 * what came before; training on them teaches the model the whole neighbourhood of an ADL's peaks.
 */
export function buildWindows(
  dir: string,
  infos: readonly RecordingInfo[],
  trigger: TriggerParams,
  layout: FeatureLayout,
  positionInput: boolean,
  hardNegatives = false,
  conditioning: InputConditioning = {},
  cacheDir?: string,
): WindowSet {
  const set: WindowSet = { features: [], labels: [], recording: [], peakTMs: [], recordings: [] };
  const n = featureCount(layout);
  const cache = cacheDir
    ? new WindowCache(cacheDir, { trigger, layout, positionInput, hardNegatives, conditioning })
    : undefined;
  for (const info of infos) {
    const hit = cache?.read(info);
    if (hit) {
      const rec =
        set.recordings.push(hit.impactMs === undefined ? { info } : { info, impactMs: hit.impactMs }) - 1;
      hit.labels.forEach((label, i) => {
        set.features.push(hit.features[i]!);
        set.labels.push(label);
        set.recording.push(rec);
        set.peakTMs.push(hit.peakTMs[i]!);
      });
      continue;
    }
    const first = set.labels.length;
    const loaded = loadAtBandRate(dir, info);
    // The scorer's own input conditioning (input-conditioner.ts), so the windows are the ones the gateway scores.
    const samples = InputConditioner.apply(conditioning, BAND_RATE_HZ, loaded);
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
    if (hardNegatives && impactMs === undefined)
      addLocalPeaks(set, samples, rec, trigger, layout, positionInput);
    cache?.write(info, {
      impactMs,
      labels: set.labels.slice(first),
      peakTMs: set.peakTMs.slice(first),
      features: set.features.slice(first),
    });
  }
  return set;
}

/** Negative windows centred on every local |a| maximum over the gate that is not already a candidate. */
function addLocalPeaks(
  set: WindowSet,
  samples: readonly AccelSample[],
  rec: number,
  trigger: TriggerParams,
  layout: FeatureLayout,
  positionInput: boolean,
): void {
  const n = featureCount(layout);
  const mag = samples.map((s) => Math.sqrt(s.x * s.x + s.y * s.y + s.z * s.z));
  const taken = new Set<number>();
  for (let i = set.recording.length - 1; i >= 0 && set.recording[i] === rec; i--) taken.add(set.peakTMs[i]!);
  const len = trigger.preSamples + trigger.postSamples + 1;
  for (let i = 1; i + 1 < mag.length; i++) {
    if (!(mag[i]! >= trigger.gateG && mag[i]! >= mag[i - 1]! && mag[i]! > mag[i + 1]!)) continue;
    if (taken.has(samples[i]!.tMs) || i + trigger.postSamples >= mag.length) continue;
    const xyz = new Float32Array(len * 3);
    for (let k = 0; k < len; k++) {
      const s = samples[Math.max(0, i - trigger.preSamples + k)]!;
      xyz[k * 3] = s.x;
      xyz[k * 3 + 1] = s.y;
      xyz[k * 3 + 2] = s.z;
    }
    const f = new Float32Array(n + (positionInput ? 1 : 0));
    extractFeatures(xyz, layout, f);
    if (positionInput) f[n] = set.recordings[rec]!.info.position === 'wrist' ? 1 : 0;
    set.features.push(f);
    set.labels.push(0);
    set.recording.push(rec);
    set.peakTMs.push(samples[i]!.tMs);
  }
}

export interface ThresholdPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
}

/**
 * Recording-level operating curve from window scores, mirroring the scorer: a fall recording is caught
 * when a window peaking within [impact - 2 s, impact + latestPeakMs] reaches the threshold (train.ts passes
 * latestPeakMs so that the window is decided within 3 s of the impact); an ADL recording is a false alarm when any window does. (The confirm policy's dedupe is not
 * modelled here; the final figures come from the real replay in evaluate.ts.)
 */
export function recordingCurve(
  set: WindowSet,
  scores: Float32Array,
  thresholds: number[],
  source?: string,
  latestPeakMs = 3_000,
): ThresholdPoint[] {
  const best = new Float32Array(set.recordings.length);
  for (let i = 0; i < scores.length; i++) {
    const r = set.recording[i]!;
    const rec = set.recordings[r]!;
    if (rec.impactMs !== undefined) {
      const dt = set.peakTMs[i]! - rec.impactMs;
      if (dt < -2_000 || dt > latestPeakMs) continue;
    }
    best[r] = Math.max(best[r]!, scores[i]!);
  }
  return thresholds.map((threshold) => {
    let tp = 0;
    let falls = 0;
    let tn = 0;
    let adls = 0;
    set.recordings.forEach((rec, r) => {
      // `source` 'wrist' (or 'waist') pools every source worn there.
      if (source !== undefined && rec.info.source !== source && rec.info.position !== source) return;
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
