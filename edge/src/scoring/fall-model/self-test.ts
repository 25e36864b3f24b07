// self-test.json: windows shipped with a fall model and the decision that model must make on them. A
// gateway runs them on a downloaded model before making it live (edge/src/models-update). The windows are
// stored as the raw (not standardised) features of real recorded windows in `manifest.features.names`
// order — features, never raw samples, so no recording leaves ../shared/datasets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FallModelError } from './model-files.ts';

export const SELF_TEST_FILE = 'self-test.json';

export const SelfTestFile = Type.Object({
  format: Type.Literal(1),
  /** How the windows were chosen (tools/models/make-self-test.ts). */
  note: Type.Optional(Type.String()),
  cases: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 200 }),
      expect: Type.Union([Type.Literal('fall'), Type.Literal('no_fall')]),
      features: Type.Array(Type.Number(), { minItems: 1, maxItems: 1024 }),
      /** The score of the model the file was made with (for people; not checked). */
      referenceScore: Type.Optional(Type.Number()),
    }),
    { minItems: 2, maxItems: 64 },
  ),
});
export type SelfTestFile = Static<typeof SelfTestFile>;
const isSelfTestFile = TypeCompiler.Compile(SelfTestFile);

export function readSelfTest(dir: string): SelfTestFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(dir, SELF_TEST_FILE), 'utf8'));
  } catch (err) {
    throw new FallModelError(`cannot read ${join(dir, SELF_TEST_FILE)}`, { cause: err });
  }
  if (!isSelfTestFile.Check(value))
    throw new FallModelError(`${join(dir, SELF_TEST_FILE)}: not a self-test file`);
  if (!value.cases.some((c) => c.expect === 'fall') || !value.cases.some((c) => c.expect === 'no_fall'))
    throw new FallModelError(`${join(dir, SELF_TEST_FILE)}: needs at least one fall and one non-fall window`);
  return value;
}

export interface SelfTestOutcome {
  passed: boolean;
  /** One line per window that disagreed (or could not be scored). */
  failures: string[];
  scores: { name: string; expect: 'fall' | 'no_fall'; score: number }[];
}

/** Scores every window with `score` and compares the decision (score ≥ threshold) with the expected one. */
export function runSelfTest(
  file: SelfTestFile,
  threshold: number,
  score: (features: readonly number[]) => number,
): SelfTestOutcome {
  const failures: string[] = [];
  const scores: SelfTestOutcome['scores'] = [];
  for (const c of file.cases) {
    let value: number;
    try {
      value = score(c.features);
    } catch (err) {
      failures.push(`${c.name}: ${(err as Error).message}`);
      continue;
    }
    scores.push({ name: c.name, expect: c.expect, score: value });
    // NaN (garbage weights) decides nothing: it fails both kinds of window.
    const decided = Number.isFinite(value) ? (value >= threshold ? 'fall' : 'no_fall') : 'no score';
    if (decided !== c.expect) failures.push(`${c.name}: expected ${c.expect}, got ${decided} (${value})`);
  }
  return { passed: failures.length === 0, failures, scores };
}
