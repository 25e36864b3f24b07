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
  /**
   * Model 2.1: three more features of the impact itself, after the activity ones — how far the arm was
   * unloaded (|a| below 1 g) in the second before the peak, a proxy of the speed at impact (a fall drops;
   * lying down onto a bed is lowered); how long the impact lasts around the peak (a floor is hard and short,
   * a mattress soft and long); and how much the arm turned in the half second after it.
   */
  impactFeatures?: boolean;
  /**
   * Model 3.1 candidates: four more features, after the impact ones, of what separates a table hit or sitting
   * down from a fall at the wrist — the longest unloaded run (|a| < 0.8 g) in the 1.5 s before the peak (a
   * fall drops for a while; a hand swung onto a table barely does), how much the wrist turned on the way
   * there and after it (sum of the angles between successive 0.2 s mean vectors), and how soon it came to
   * rest after the impact (first 0.2 s bin from 0.5 s on whose vector spread is under 0.05 g).
   */
  shapeFeatures?: boolean;
}

const SHAPE_NAMES = ['unloadedRunS', 'preTurnDeg', 'postTurnSumDeg', 'restAfterS'] as const;

const IMPACT_NAMES = ['descentGs', 'impactWidthS', 'postTurnDeg'] as const;

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
  if (layout.impactFeatures) names.push(...IMPACT_NAMES);
  if (layout.shapeFeatures) names.push(...SHAPE_NAMES);
  return names;
}

export function featureCount(layout: FeatureLayout): number {
  return featureNames(layout).length;
}

// Scratch space reused by every call: scoring runs on the gateway's one thread, and a window is scored a few
// times a second at most, so one buffer of magnitudes and five gravity vectors are all it ever needs.
let magScratch = new Float32Array(0);
const gPre: Vec = [0, 0, 0];
const gPost: Vec = [0, 0, 0];
const gEarly: Vec = [0, 0, 0];
const gBin: Vec = [0, 0, 0];
const gTurn: Vec = [0, 0, 0];
const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/**
 * Computes the features of a window (interleaved x,y,z in g, peak at `preSamples`) into `out`
 * (length featureCount). Allocation-free when `out` is given: the scorer calls it once per candidate impact.
 */
export function extractFeatures(
  xyz: Float32Array,
  layout: FeatureLayout,
  out: Float32Array = new Float32Array(featureCount(layout)),
): Float32Array {
  const { rateHz, preSamples: pre, postSamples: post, binSamples } = layout;
  const len = pre + post + 1;
  if (magScratch.length < len) magScratch = new Float32Array(len);
  const mag = magScratch;
  // One pass over the samples: magnitudes, and the whole-window statistics that need nothing else.
  let jerk = 0;
  let dev = 0;
  let above1_5 = 0;
  let above2 = 0;
  let below0_6 = 0;
  for (let i = 0; i < len; i++) {
    const x = xyz[i * 3]!;
    const y = xyz[i * 3 + 1]!;
    const z = xyz[i * 3 + 2]!;
    const m = Math.fround(Math.sqrt(x * x + y * y + z * z));
    mag[i] = m;
    if (i > 0) jerk = Math.max(jerk, Math.abs(m - mag[i - 1]!));
    dev += Math.abs(m - 1);
    if (m > 1.5) above1_5++;
    if (m > 2) above2++;
    if (m < 0.6) below0_6++;
  }
  // Sample index of a time (s) relative to the peak, clamped to the window.
  const at = (sec: number) => Math.min(len, Math.max(0, pre + Math.round(sec * rateHz)));
  const end = len;
  const preA = at(-1.0);
  const preB = at(-0.3);
  const post1 = at(0.3);
  const post2 = at(1.0);
  meanVec(xyz, preA, at(-0.5), gPre);
  meanVec(xyz, Math.max(post2, end - Math.round(0.5 * rateHz)), end, gPost);
  meanVec(xyz, at(0.5), post2, gEarly);

  let k = 0;
  out[k++] = finite(mag[pre]!);
  out[k++] = finite(mean(mag, preA, preB));
  out[k++] = finite(sd(mag, preA, preB));
  out[k++] = finite(min(mag, preA, pre));
  out[k++] = finite(mean(mag, at(-0.5), pre));
  out[k++] = finite(sd(mag, at(-0.1), post1 + 1));
  out[k++] = finite(mean(mag, post1, post2));
  out[k++] = finite(sd(mag, post1, post2));
  out[k++] = finite(max(mag, post1, post2));
  out[k++] = finite(mean(mag, post2, end));
  out[k++] = finite(sd(mag, post2, end));
  out[k++] = finite(max(mag, post2, end));
  out[k++] = finite(min(mag, post2, end));
  out[k++] = finite(jerk * rateHz);
  out[k++] = finite(above1_5 / len);
  out[k++] = finite(above2 / len);
  out[k++] = finite(below0_6 / len);
  out[k++] = finite(angleDeg(gPre, gPost));
  out[k++] = finite(angleDeg(gPre, gEarly));
  out[k++] = finite(norm(gPre));
  out[k++] = finite(norm(gPost));
  out[k++] = finite(vecSd(xyz, preA, preB));
  out[k++] = finite(vecSd(xyz, post2, end));
  out[k++] = finite(dev / len);
  // What the arm did well before the peak: repeated hard peaks (clapping, hammering) are not how a fall starts.
  const earlyEnd = preB;
  let earlyAbove2 = 0;
  for (let i = 0; i < earlyEnd; i++) if (mag[i]! > 2) earlyAbove2++;
  out[k++] = finite(max(mag, 0, earlyEnd));
  out[k++] = finite(earlyEnd ? earlyAbove2 / earlyEnd : 0);
  out[k++] = peaksOver(mag, len, 2, 1, earlyEnd);

  // The profile, one pass per bin; each kind of value goes to its own block of `bins` features.
  const bins = binCount(layout);
  for (let b = 0; b < bins; b++) {
    const from = b * binSamples;
    const to = from + binSamples;
    out[k + b] = finite(mean(mag, from, to));
    out[k + bins + b] = finite(max(mag, from, to));
    out[k + 2 * bins + b] = finite(cosine(gPre, meanVec(xyz, from, to, gBin)));
    out[k + 3 * bins + b] = finite(vecSd(xyz, from, to));
  }
  k += 4 * bins;
  if (layout.activityFeatures) {
    out[k++] = peaksOver(mag, len, 2, post1, end);
    out[k++] = peaksOver(mag, len, PEAK_G, post1, end);
    out[k++] = peaksOver(mag, len, PEAK_G, 0, earlyEnd);
    const lastSec = Math.max(pre + 1, end - rateHz);
    out[k++] = finite(sd(mag, lastSec, end));
    out[k++] = finite(vecSd(xyz, lastSec, end));
  }
  if (layout.impactFeatures) {
    let unloaded = 0;
    for (let i = preA; i < pre; i++) unloaded += Math.max(0, 1 - mag[i]!);
    out[k++] = finite(unloaded / rateHz);
    // Width at half height of the impact (above 1 g), walking out from the peak within ±0.5 s.
    const half = 1 + (mag[pre]! - 1) / 2;
    let from = pre;
    let to = pre;
    const reach = Math.round(0.5 * rateHz);
    while (from > Math.max(0, pre - reach) && mag[from - 1]! >= half) from--;
    while (to < Math.min(len - 1, pre + reach) && mag[to + 1]! >= half) to++;
    out[k++] = finite((to - from + 1) / rateHz);
    out[k++] = finite(angleDeg(meanVec(xyz, at(0.1), at(0.3), gBin), gEarly));
  }
  if (layout.shapeFeatures) {
    let run = 0;
    let longest = 0;
    for (let i = at(-1.5); i < pre; i++) {
      run = mag[i]! < 0.8 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    out[k++] = finite(longest / rateHz);
    const step = Math.max(1, Math.round(0.2 * rateHz));
    out[k++] = finite(turnSum(xyz, at(-1.2), pre, step));
    out[k++] = finite(turnSum(xyz, at(0.5), end, step));
    let rest = (end - pre) / rateHz;
    for (let from = at(0.5); from + step <= end; from += step)
      if (vecSd(xyz, from, from + step) < 0.05) {
        rest = (from - pre) / rateHz;
        break;
      }
    out[k++] = finite(rest);
  }
  return out;
}

/** Sum of the angles (degrees) between the mean vectors of successive `step`-sample bins in from..to. */
function turnSum(xyz: Float32Array, from: number, to: number, step: number): number {
  let sum = 0;
  let havePrev = false;
  for (let i = from; i + step <= to; i += step) {
    meanVec(xyz, i, i + step, gBin);
    if (havePrev) sum += angleDeg(gTurn, gBin);
    gTurn[0] = gBin[0];
    gTurn[1] = gBin[1];
    gTurn[2] = gBin[2];
    havePrev = true;
  }
  return sum;
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
/** Local maxima above `g` strictly inside the window, between `from` and `to`. */
function peaksOver(mag: Float32Array, len: number, g: number, from: number, to: number): number {
  let c = 0;
  for (let i = Math.max(1, from); i + 1 < Math.min(len, to); i++)
    if (mag[i]! > g && mag[i]! >= mag[i - 1]! && mag[i]! > mag[i + 1]!) c++;
  return c;
}
type Vec = [number, number, number];
/** Mean of the vectors from..to, written into `v` (returned). */
function meanVec(xyz: Float32Array, from: number, to: number, v: Vec): Vec {
  let x = 0;
  let y = 0;
  let z = 0;
  for (let i = from; i < to; i++) {
    x += xyz[i * 3]!;
    y += xyz[i * 3 + 1]!;
    z += xyz[i * 3 + 2]!;
  }
  const n = Math.max(1, to - from);
  v[0] = x / n;
  v[1] = y / n;
  v[2] = z / n;
  return v;
}
/** sqrt of the trace of the covariance: how much the vector moves, whatever the axes. */
function vecSd(xyz: Float32Array, from: number, to: number): number {
  if (to <= from) return 0;
  let mx = 0;
  let my = 0;
  let mz = 0;
  for (let i = from; i < to; i++) {
    mx += xyz[i * 3]!;
    my += xyz[i * 3 + 1]!;
    mz += xyz[i * 3 + 2]!;
  }
  const n = to - from;
  mx /= n;
  my /= n;
  mz /= n;
  let s = 0;
  for (let i = from; i < to; i++) {
    s += (xyz[i * 3]! - mx) ** 2;
    s += (xyz[i * 3 + 1]! - my) ** 2;
    s += (xyz[i * 3 + 2]! - mz) ** 2;
  }
  return Math.sqrt(s / n);
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
