// Loading recordings of a falls-format folder at the band's rate, and the subject split. Shared by the
// training, evaluation and benchmark tools so all three see the same samples.
import { join } from 'node:path';
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
