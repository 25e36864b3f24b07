/**
 * Features of one impact window (see impact-trigger.ts). All of them are invariant to rotations of the
 * band's axes — magnitudes, angles between mean vectors, and the total variance of the vector signal —
 * because a wristband's orientation on the arm varies and the datasets' sensors sat differently (UMAFall
 * wrist, SisFall waist). Rotation augmentation is therefore unnecessary: a rotated recording gives the
 * same features.
 */
export interface FeatureLayout {
  rateHz: number;
  preSamples: number;
  postSamples: number;
  /** Width of the profile bins, in samples. */
  binSamples: number;
  /**
   * Model 2.x: five more features at the end, of what the arm keeps doing around the peak — hard peaks after
   * it (a clap or a hop is followed by more; a fall by at most a bounce), gate-level peaks before it, and how
   * still the last second of the window is.
   */
  activityFeatures?: boolean;
}

const ACTIVITY_NAMES = [
  'postPeaks2g',
  'postPeaksGate',
  'prePeaksGate',
  'lastSecSdG',
  'lastSecVecSdG',
] as const;
/** Gate-level peaks for the activity features: the trigger's 1.6 g. */
const PEAK_G = 1.6;

const SUMMARY_NAMES = [
  'peakG',
  'preMeanG',
  'preSdG',
  'freeFallMinG',
  'fallMeanG',
  'impactSdG',
  'post1MeanG',
  'post1SdG',
  'post1MaxG',
  'post2MeanG',
  'post2SdG',
  'post2MaxG',
  'post2MinG',
  'maxJerkGps',
  'fracAbove1_5g',
  'fracAbove2g',
  'fracBelow0_6g',
  'tiltDeg',
  'tiltEarlyDeg',
  'preGravityG',
  'postGravityG',
  'preVecSdG',
  'post2VecSdG',
  'meanAbsDevG',
  'earlyMaxG',
  'earlyFracAbove2g',
  'earlyPeaks2g',
] as const;

export type SummaryName = (typeof SUMMARY_NAMES)[number];

export function binCount(layout: FeatureLayout): number {
  return Math.floor((layout.preSamples + layout.postSamples + 1) / layout.binSamples);
}

export function featureNames(layout: FeatureLayout): string[] {
  const bins = binCount(layout);
  const names: string[] = [...SUMMARY_NAMES];
  for (const kind of ['binMeanG', 'binMaxG', 'binCosPre', 'binVecSdG'])
    for (let b = 0; b < bins; b++) names.push(`${kind}${b}`);
  if (layout.activityFeatures) names.push(...ACTIVITY_NAMES);
  return names;
}

export function featureCount(layout: FeatureLayout): number {
  return featureNames(layout).length;
}

/**
 * Computes the features of a window (interleaved x,y,z in g, peak at `preSamples`) into `out`
 * (length featureCount). Returns the summary values by name as well, for the detection's evidence.
 */
export function extractFeatures(
  xyz: Float32Array,
  layout: FeatureLayout,
  out: Float32Array = new Float32Array(featureCount(layout)),
): Float32Array {
  const { rateHz, preSamples: pre, postSamples: post, binSamples } = layout;
  const len = pre + post + 1;
  const mag = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    mag[i] = Math.sqrt(x * x + y * y + z * z);
  }
  // Sample index of a time (s) relative to the peak, clamped to the window.
  const at = (sec: number) => Math.min(len, Math.max(0, pre + Math.round(sec * rateHz)));
  const end = len;

  let k = 0;
  const put = (v: number) => {
    out[k++] = Number.isFinite(v) ? v : 0;
  };
  const preA = at(-1.0);
  const preB = at(-0.3);
  const gPre = meanVec(xyz, at(-1.0), at(-0.5));
  const gPost = meanVec(xyz, Math.max(at(1.0), end - Math.round(0.5 * rateHz)), end);
  const gEarly = meanVec(xyz, at(0.5), at(1.0));

  put(mag[pre]!);
  put(mean(mag, preA, preB));
  put(sd(mag, preA, preB));
  put(min(mag, at(-1.0), pre));
  put(mean(mag, at(-0.5), pre));
  put(sd(mag, at(-0.1), at(0.3) + 1));
  put(mean(mag, at(0.3), at(1.0)));
  put(sd(mag, at(0.3), at(1.0)));
  put(max(mag, at(0.3), at(1.0)));
  put(mean(mag, at(1.0), end));
  put(sd(mag, at(1.0), end));
  put(max(mag, at(1.0), end));
  put(min(mag, at(1.0), end));
  let jerk = 0;
  for (let i = 1; i < len; i++) jerk = Math.max(jerk, Math.abs(mag[i]! - mag[i - 1]!));
  put(jerk * rateHz);
  put(frac(mag, (v) => v > 1.5));
  put(frac(mag, (v) => v > 2));
  put(frac(mag, (v) => v < 0.6));
  put(angleDeg(gPre, gPost));
  put(angleDeg(gPre, gEarly));
  put(norm(gPre));
  put(norm(gPost));
  put(vecSd(xyz, preA, preB));
  put(vecSd(xyz, at(1.0), end));
  let dev = 0;
  for (let i = 0; i < len; i++) dev += Math.abs(mag[i]! - 1);
  put(dev / len);
  // What the arm did well before the peak: repeated hard peaks (clapping, hammering) are not how a fall starts.
  const earlyEnd = at(-0.3);
  put(max(mag, 0, earlyEnd));
  put(frac(mag.subarray(0, earlyEnd), (v) => v > 2));
  let peaks = 0;
  for (let i = 1; i + 1 < earlyEnd; i++)
    if (mag[i]! > 2 && mag[i]! >= mag[i - 1]! && mag[i]! > mag[i + 1]!) peaks++;
  put(peaks);

  const bins = binCount(layout);
  for (let b = 0; b < bins; b++) put(mean(mag, b * binSamples, (b + 1) * binSamples));
  for (let b = 0; b < bins; b++) put(max(mag, b * binSamples, (b + 1) * binSamples));
  for (let b = 0; b < bins; b++) put(cosine(gPre, meanVec(xyz, b * binSamples, (b + 1) * binSamples)));
  for (let b = 0; b < bins; b++) put(vecSd(xyz, b * binSamples, (b + 1) * binSamples));
  if (layout.activityFeatures) {
    const peaksOver = (g: number, from: number, to: number) => {
      let c = 0;
      for (let i = Math.max(1, from); i + 1 < Math.min(len, to); i++)
        if (mag[i]! > g && mag[i]! >= mag[i - 1]! && mag[i]! > mag[i + 1]!) c++;
      return c;
    };
    put(peaksOver(2, at(0.3), end));
    put(peaksOver(PEAK_G, at(0.3), end));
    put(peaksOver(PEAK_G, 0, earlyEnd));
    const lastSec = Math.max(pre + 1, end - rateHz);
    put(sd(mag, lastSec, end));
    put(vecSd(xyz, lastSec, end));
  }
  return out;
}

/** The summary features by name, rounded: the scorer's evidence (features, never raw samples). */
export function summaryEvidence(features: Float32Array): Record<SummaryName, number> {
  const ev = {} as Record<SummaryName, number>;
  SUMMARY_NAMES.forEach((name, i) => {
    ev[name] = Math.round((features[i] ?? 0) * 1000) / 1000;
  });
  return ev;
}

function mean(a: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return to > from ? s / (to - from) : 0;
}
function sd(a: Float32Array, from: number, to: number): number {
  const m = mean(a, from, to);
  let s = 0;
  for (let i = from; i < to; i++) s += (a[i]! - m) ** 2;
  return to > from ? Math.sqrt(s / (to - from)) : 0;
}
function min(a: Float32Array, from: number, to: number): number {
  let v = Number.POSITIVE_INFINITY;
  for (let i = from; i < to; i++) v = Math.min(v, a[i]!);
  return to > from ? v : 0;
}
function max(a: Float32Array, from: number, to: number): number {
  let v = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) v = Math.max(v, a[i]!);
  return to > from ? v : 0;
}
function frac(a: Float32Array, pred: (v: number) => boolean): number {
  let n = 0;
  for (const v of a) if (pred(v)) n++;
  return a.length ? n / a.length : 0;
}
type Vec = [number, number, number];
function meanVec(xyz: Float32Array, from: number, to: number): Vec {
  const v: Vec = [0, 0, 0];
  for (let i = from; i < to; i++) {
    v[0] += xyz[i * 3]!;
    v[1] += xyz[i * 3 + 1]!;
    v[2] += xyz[i * 3 + 2]!;
  }
  const n = Math.max(1, to - from);
  return [v[0] / n, v[1] / n, v[2] / n];
}
/** sqrt of the trace of the covariance: how much the vector moves, whatever the axes. */
function vecSd(xyz: Float32Array, from: number, to: number): number {
  if (to <= from) return 0;
  const m = meanVec(xyz, from, to);
  let s = 0;
  for (let i = from; i < to; i++) for (let c = 0; c < 3; c++) s += (xyz[i * 3 + c]! - m[c as 0 | 1 | 2]) ** 2;
  return Math.sqrt(s / (to - from));
}
function norm(v: Vec): number {
  return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}
function cosine(a: Vec, b: Vec): number {
  const d = norm(a) * norm(b);
  return d > 1e-6 ? (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / d : 1;
}
function angleDeg(a: Vec, b: Vec): number {
  return (Math.acos(Math.max(-1, Math.min(1, cosine(a, b)))) * 180) / Math.PI;
}
