// Writes <model dir>/self-test.json: a few real recorded windows and the decision the model must make on
// them, shipped with the model so a gateway can check a downloaded copy before making it live.
//
//   npx tsx tools/models/make-self-test.ts [--model models/fall] [--data ../shared/datasets/falls]
//
// The windows come from the model's held-out TEST subjects (manifest.split.test), wrist recordings only
// (where the band sits), cut by the scorer's own trigger and feature code: the fall windows at each fall's
// impact that the model scores highest, and the ADL windows with the hardest impacts (largest peak) that
// it still scores well below the threshold. They are a sanity check of the weights and constants (a
// corrupt or mismatched bundle fails them), not an evaluation — that is `npm run eval:fall`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFallsIndex } from '../../edge/src/datasets/falls.ts';
import {
  createFallModelScorer,
  DEFAULT_FALL_MODEL_DIR,
  SELF_TEST_FILE,
  type SelfTestFile,
} from '../../edge/src/scoring/fall-model/index.ts';
import { parseToolArgs } from '../cli-args.ts';
import { FALLS_DATA_DIR } from '../fall/recordings.ts';
import { buildWindows } from '../fall/windows.ts';

const values = parseToolArgs(import.meta.url, {
  options: {
    model: { type: 'string', default: DEFAULT_FALL_MODEL_DIR },
    data: { type: 'string', default: FALLS_DATA_DIR },
    falls: { type: 'string', default: '2' },
    adls: { type: 'string', default: '2' },
    margin: { type: 'string', default: '0.2' },
  },
});
const modelDir = values.model;
const margin = Number(values.margin);

const scorer = await createFallModelScorer({ modelDir, log: () => {} });
const { manifest, threshold } = scorer;
const testSubjects = new Set(manifest.split?.test ?? []);
if (testSubjects.size === 0) throw new Error(`${modelDir}/manifest.json has no split.test subjects`);
const infos = readFallsIndex(values.data).filter(
  (r) => testSubjects.has(r.subject) && r.position === 'wrist',
);
const set = buildWindows(
  values.data,
  infos,
  manifest.trigger,
  manifest.features,
  manifest.features.positionInput,
  false,
  manifest.input,
);

type Pick = { name: string; expect: 'fall' | 'no_fall'; score: number; peak: number; features: number[] };
const falls: Pick[] = [];
const adls: Pick[] = [];
set.features.forEach((f, i) => {
  const label = set.labels[i];
  if (label === -1) return;
  const rec = set.recordings[set.recording[i]!]!;
  const nFeatures = manifest.features.names.length;
  const features = Array.from(f.subarray(0, nFeatures), (v) => Number(v.toPrecision(9)));
  const score = scorer.scoreFeatureVector(features);
  const pick = {
    name: `${rec.info.file} @ ${(set.peakTMs[i]! / 1000).toFixed(2)} s`,
    expect: label === 1 ? ('fall' as const) : ('no_fall' as const),
    score,
    peak: features[0]!, // peakG is the first feature
    features,
  };
  if (label === 1 && score >= Math.min(0.999, threshold + margin / 2)) falls.push(pick);
  if (label === 0 && rec.info.label === 'adl' && score <= threshold - margin) adls.push(pick);
});
falls.sort((a, b) => b.score - a.score);
adls.sort((a, b) => b.peak - a.peak);
const chosen = [...falls.slice(0, Number(values.falls)), ...adls.slice(0, Number(values.adls))];
if (chosen.filter((c) => c.expect === 'fall').length === 0 || chosen.every((c) => c.expect === 'fall'))
  throw new Error('no clear fall or ADL window found among the test subjects');

const file: SelfTestFile = {
  format: 1,
  note: `made by tools/models/make-self-test.ts for ${manifest.name} ${manifest.version}: windows of held-out test subjects (wrist), features in manifest order; falls scored >= threshold + ${margin / 2}, ADLs <= threshold - ${margin}`,
  cases: chosen.map((c) => ({
    name: c.name,
    expect: c.expect,
    features: c.features,
    referenceScore: Math.round(c.score * 1e4) / 1e4,
  })),
};
writeFileSync(join(modelDir, SELF_TEST_FILE), `${JSON.stringify(file, null, 1)}\n`);
scorer.dispose?.();
for (const c of file.cases) console.log(`${c.expect.padEnd(7)} score=${c.referenceScore} ${c.name}`);
console.log(`wrote ${join(modelDir, SELF_TEST_FILE)} (${file.cases.length} windows, threshold ${threshold})`);
