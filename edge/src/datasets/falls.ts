// Reads recordings in the format of ../shared/datasets/falls (gzip CSV `t_ms,ax,ay,az`, in g) and
// resamples them to the band's rate, so replay and evaluation feed the edge path what a band would send.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AccelSample } from '../scoring/scorer.ts';

export interface RecordingInfo {
  file: string;
  source: string;
  subject: string;
  activity: string;
  description: string;
  label: 'fall' | 'adl';
  position: string;
  rateHz: number;
  samples: number;
}

export class DatasetError extends Error {
  readonly code = 'EDGE_DATASET_INVALID';
}

/** Parses `index.csv` of a falls dataset folder. */
export function readFallsIndex(dir: string): RecordingInfo[] {
  const text = readFileSync(join(dir, 'index.csv'), 'utf8');
  const [header, ...rows] = text.trim().split(/\r?\n/);
  const cols = (header ?? '').split(',');
  const at = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new DatasetError(`${dir}/index.csv has no column "${name}"`);
    return i;
  };
  const idx = {
    file: at('file'),
    source: at('source'),
    subject: at('subject'),
    activity: at('activity'),
    description: at('description'),
    label: at('label'),
    position: at('position'),
    rate: at('rate_hz'),
    samples: at('samples'),
  };
  return rows.map((row, n) => {
    const f = splitCsvRow(row);
    const label = f[idx.label];
    if (label !== 'fall' && label !== 'adl')
      throw new DatasetError(`index.csv row ${n + 2}: label "${label}"`);
    return {
      file: f[idx.file] ?? '',
      source: f[idx.source] ?? '',
      subject: f[idx.subject] ?? '',
      activity: f[idx.activity] ?? '',
      description: f[idx.description] ?? '',
      label,
      position: f[idx.position] ?? '',
      rateHz: Number(f[idx.rate]),
      samples: Number(f[idx.samples]),
    };
  });
}

function splitCsvRow(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of row) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Reads one recording as it was sampled (irregular timestamps kept). Malformed lines are an error. */
export function readRecording(path: string): AccelSample[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const lines = text.split(/\r?\n/);
  const out: AccelSample[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const [t, x, y, z] = line.split(',').map(Number);
    if (![t, x, y, z].every((v) => v !== undefined && Number.isFinite(v))) {
      throw new DatasetError(`${path}:${i + 1}: not four numbers: "${line.slice(0, 60)}"`);
    }
    out.push({ tMs: t!, x: x!, y: y!, z: z! });
  }
  if (out.length < 2) throw new DatasetError(`${path}: fewer than two samples`);
  return out;
}

/**
 * Resampling onto a regular grid at `rateHz`, starting at the first sample. Works for irregular input
 * timestamps (UMAFall, the batched watches). Upsampling (input slower than `rateHz`: UMAFall and WISDM at
 * 20 Hz, WEDA-FALL's falls at 40 Hz) interpolates linearly. Downsampling (SmartFallMM runs up to 70 Hz)
 * first averages the input over each output sample's span (a box filter one output step wide: its first
 * zero is at the output rate, so content above the new Nyquist rate is attenuated instead of folded back),
 * then interpolates the averages. Samples with non-increasing time are skipped.
 */
export function resample(samples: readonly AccelSample[], rateHz: number): AccelSample[] {
  const step = 1000 / rateHz;
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) return [];
  const inputRate = samples.length > 1 ? ((samples.length - 1) * 1000) / (last.tMs - first.tMs || 1) : 0;
  const src = inputRate > rateHz * 1.1 ? boxAverage(samples, step) : samples;
  const out: AccelSample[] = [];
  let j = 0;
  for (let t = first.tMs; t <= last.tMs; t += step) {
    while (j < src.length - 2 && src[j + 1]!.tMs <= t) j++;
    const a = src[j]!;
    const b = src[j + 1] ?? a;
    const span = b.tMs - a.tMs;
    const w = span > 0 ? Math.min(1, Math.max(0, (t - a.tMs) / span)) : 0;
    out.push({
      tMs: Math.round(t),
      x: a.x + (b.x - a.x) * w,
      y: a.y + (b.y - a.y) * w,
      z: a.z + (b.z - a.z) * w,
    });
  }
  return out;
}

/** Each sample replaced by the mean of the samples within ±widthMs/2 of it (two-pointer, O(n)). */
function boxAverage(samples: readonly AccelSample[], widthMs: number): AccelSample[] {
  const half = widthMs / 2;
  const out: AccelSample[] = [];
  let lo = 0;
  let hi = 0;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (const s of samples) {
    while (hi < samples.length && samples[hi]!.tMs <= s.tMs + half) {
      const h = samples[hi++]!;
      sx += h.x;
      sy += h.y;
      sz += h.z;
    }
    while (samples[lo]!.tMs < s.tMs - half) {
      const l = samples[lo++]!;
      sx -= l.x;
      sy -= l.y;
      sz -= l.z;
    }
    const n = hi - lo;
    out.push({ tMs: s.tMs, x: sx / n, y: sy / n, z: sz / n });
  }
  return out;
}

export const magnitude = (s: AccelSample) => Math.sqrt(s.x * s.x + s.y * s.y + s.z * s.z);

/** Impacts are not labelled: the impact of a fall recording is its acceleration-magnitude peak. */
export function findImpact(samples: readonly AccelSample[]): { index: number; tMs: number; peakG: number } {
  let best = 0;
  let peak = -1;
  samples.forEach((s, i) => {
    const m = magnitude(s);
    if (m > peak) {
      peak = m;
      best = i;
    }
  });
  return { index: best, tMs: samples[best]?.tMs ?? 0, peakG: peak };
}
