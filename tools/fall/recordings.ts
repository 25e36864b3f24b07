// Loading recordings of a falls-format folder at the band's rate, and the subject split. Shared by the
// training, evaluation and benchmark tools so all three see the same samples.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type RecordingInfo, readRecording, resample } from '../../edge/src/datasets/falls.ts';
import { type AccelSample, BAND_RATE_HZ } from '../../edge/src/scoring/scorer.ts';
import { mulberry32 } from '../random.ts';

/** One recording as the band would send it: resampled to 50 Hz when the folder's rate differs. */
export function loadAtBandRate(dir: string, info: RecordingInfo): AccelSample[] {
  const raw = readRecording(join(dir, info.file));
  return info.rateHz === BAND_RATE_HZ && isRegular(raw) ? raw : resample(raw, BAND_RATE_HZ);
}

function isRegular(samples: readonly AccelSample[]): boolean {
  const step = 1000 / BAND_RATE_HZ;
  for (let i = 1; i < samples.length; i++)
    if (Math.abs(samples[i]!.tMs - samples[i - 1]!.tMs - step) > 1) return false;
  return true;
}

/** Where the falls data set sits beside the repository (../shared/datasets/falls): every tool's default `--data`. */
export const FALLS_DATA_DIR = resolve(import.meta.dirname, '../../../shared/datasets/falls');

/**
 * The subjects of the named parts (`train`, `validation`) of a model's split, for the tools that diagnose a
 * design. The test subjects are replayed once, by the final run: asking for them, or for any other part,
 * prints why and exits 2.
 */
export function diagnosisSubjects(
  split: { train: readonly string[]; validation: readonly string[] },
  partsArg: string,
): { parts: string[]; subjects: Set<string> } {
  const parts = partsArg.split(',').map((s) => s.trim());
  const unknown = parts.filter((p) => p !== 'train' && p !== 'validation');
  if (unknown.length > 0) {
    console.error(
      `--split takes train and/or validation, got ${unknown.join(',')}` +
        (unknown.includes('test')
          ? ' (the test subjects are read once, by the final replay, never here)'
          : ''),
    );
    process.exit(2);
  }
  return { parts, subjects: new Set(parts.flatMap((p) => (p === 'train' ? split.train : split.validation))) };
}

/** A recording left out because another one holds exactly the same samples. */
export interface DuplicateRecording {
  file: string;
  sameAs: string;
}

/**
 * Drops recordings whose samples are byte for byte those of an earlier row of the index (the first one is
 * kept). SmartFallMM's subject SF45 has one 51 s trial filed 22 times under five fall activities (A10–A14):
 * trained on as 22 falls it is a third of that source's training falls, and in a leave-one-source-out replay
 * one recording counts 22 times. Compared by content, not by name or source, so any such copy in any source
 * is caught. Duplicates of different subjects are kept apart by the split anyway; here a duplicate is
 * dropped whichever subject it is filed under, so it cannot sit on both sides of the split.
 */
export function dropDuplicateRecordings(
  dir: string,
  infos: readonly RecordingInfo[],
): { kept: RecordingInfo[]; dropped: DuplicateRecording[] } {
  const seen = new Map<string, string>();
  const kept: RecordingInfo[] = [];
  const dropped: DuplicateRecording[] = [];
  for (const info of infos) {
    const raw = readFileSync(join(dir, info.file));
    // Hash the samples, not the gzip stream (whose header may carry a name or a time).
    const bytes = info.file.endsWith('.gz') ? gunzipSync(raw) : raw;
    const key = createHash('sha256').update(bytes).digest('hex');
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, info.file);
      kept.push(info);
    } else dropped.push({ file: info.file, sameAs: first });
  }
  return { kept, dropped };
}

/** Deterministic PRNG (mulberry32): the training's only source of randomness. */
export const rng = mulberry32;

export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface SubjectSplit {
  train: string[];
  validation: string[];
  test: string[];
}

/**
 * Splits subjects three ways — train, validation (threshold and every design choice), test (touched only
 * to report) — stratified so that each kind of subject is in every part: per source, subjects with fall
 * recordings and subjects with ADLs only (SisFall's elderly, several UMAFall elders) are shuffled with the
 * seed; `testFraction` of each group goes to test, `valFraction` to validation (at least one subject each
 * when the group has three or more), the rest to train. Subjects in `notTest` (those whose figures already
 * informed earlier design decisions) are never drawn for test: a test subject must be one nobody looked at.
 */
export function splitSubjects(
  infos: readonly RecordingInfo[],
  seed: number,
  valFraction: number,
  testFraction = 0,
  notTest: readonly string[] = [],
): SubjectSplit {
  const groups = new Map<string, Set<string>>();
  const hasFalls = new Set(infos.filter((r) => r.label === 'fall').map((r) => r.subject));
  for (const r of infos) {
    const key = `${r.source}/${hasFalls.has(r.subject) ? 'falls' : 'adl-only'}`;
    const g = groups.get(key) ?? new Set<string>();
    groups.set(key, g);
    g.add(r.subject);
  }
  const rand = rng(seed);
  const split: SubjectSplit = { train: [], validation: [], test: [] };
  const take = (n: number, fraction: number, min: number) =>
    fraction > 0 ? Math.max(min, Math.round(n * fraction)) : 0;
  for (const key of [...groups.keys()].sort()) {
    const subjects = shuffle([...groups.get(key)!].sort(), rand);
    const n = subjects.length;
    const eligible = subjects.filter((s) => !notTest.includes(s));
    const test = eligible.slice(0, Math.min(eligible.length, take(n, testFraction, n >= 3 ? 1 : 0)));
    const rest = subjects.filter((s) => !test.includes(s));
    const nVal = Math.min(rest.length, take(n, valFraction, 1));
    split.test.push(...test);
    split.validation.push(...rest.slice(0, nVal));
    split.train.push(...rest.slice(nVal));
  }
  return { train: split.train.sort(), validation: split.validation.sort(), test: split.test.sort() };
}
