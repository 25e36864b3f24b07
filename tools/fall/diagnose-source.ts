// npx tsx tools/fall/diagnose-source.ts [--source SmartFallMM] [--split train,validation] [--model-dir DIR]
//   [--data DIR] [--gate 1.6]
//
// Why a source's falls are missed (issue 14, docs/fall-wrist.md §8): for every fall recording of the chosen
// subjects (by default the model's TRAIN and VALIDATION subjects only — never the test subjects), prints
// what the edge path does with it, step by step:
//   - the raw file: samples, span, rate, timestamp steps (irregular? repeated?), repeated xyz values;
//   - at 50 Hz after clip + low-pass (the scorer's InputConditioner): the impact (|a| peak), its height, how
//     many seconds of signal lie before and after it — the window needs 3 s before (padded with the first
//     sample) and 2.5 s after (never padded: a trial ending sooner gives no window at all);
//   - whether the gate opens on the impact, whether its window completes, the model's score of it, and the
//     replay's verdict (evaluate.ts: the gateway's own code).
// Prints one line per recording and a table of causes.
import { join, resolve } from 'node:path';
import { findImpact, magnitude, readFallsIndex, readRecording } from '../../edge/src/datasets/falls.ts';
import {
  createFallModelScorer,
  DEFAULT_FALL_MODEL_DIR,
} from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import { ImpactTrigger } from '../../edge/src/scoring/fall-model/impact-trigger.ts';
import { InputConditioner } from '../../edge/src/scoring/fall-model/input-conditioner.ts';
import { readManifest } from '../../edge/src/scoring/fall-model/model-files.ts';
import { BAND_RATE_HZ } from '../../edge/src/scoring/scorer.ts';
import { parseToolArgs } from '../cli-args.ts';
import { evaluateRecording } from './evaluate.ts';
import { diagnosisSubjects, dropDuplicateRecordings, FALLS_DATA_DIR, loadAtBandRate } from './recordings.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FALLS_DATA_DIR },
    source: { type: 'string', default: 'SmartFallMM' },
    split: { type: 'string', default: 'train,validation' },
    'model-dir': { type: 'string' },
    label: { type: 'string', default: 'fall' },
  },
});
const dir = resolve(args.data);
const modelDir = resolve(args['model-dir'] ?? DEFAULT_FALL_MODEL_DIR);
const manifest = readManifest(modelDir);
const split = manifest.split;
if (!split) throw new Error(`${modelDir}/manifest.json has no split`);
const { parts, subjects } = diagnosisSubjects(split, args.split);
const selected = readFallsIndex(dir).filter(
  (r) => r.source === args.source && r.label === args.label && subjects.has(r.subject),
);
// Byte-identical copies (recordings.ts) are counted once; how many there were is part of the diagnosis.
const { kept: infos, dropped } = dropDuplicateRecordings(dir, selected);
const scorer = await createFallModelScorer({ modelDir, log: () => {} });
const { trigger, input } = manifest;
const step = 1000 / BAND_RATE_HZ;
const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

interface Row {
  file: string;
  subject: string;
  part: string;
  rateHz: number;
  spanS: number;
  dtIrregular: boolean;
  repeatedXyz: number;
  rawPeakG: number;
  peakG: number;
  beforeS: number;
  afterS: number;
  gateOpens: boolean;
  windowCompletes: boolean;
  impactScore: number | undefined;
  bestScoreNear: number | undefined;
  caught: boolean;
}
const rows: Row[] = [];
console.log(
  `# ${args.source} ${args.label} recordings of the ${parts.join('+')} subjects (${infos.length}); model ${manifest.version} ` +
    `threshold ${manifest.threshold}; gate ${trigger.gateG} g, window ${trigger.preSamples} before / ${trigger.postSamples} after; ` +
    `input ${JSON.stringify(input ?? {})}`,
);
if (dropped.length)
  console.log(
    `# ${dropped.length} byte-identical copies left out: ${dropped.map((d) => `${d.file} = ${d.sameAs}`).join(', ')}`,
  );
console.log(
  'file subject part rate_hz span_s dt_irregular repeated_xyz raw_peak_g peak_g before_s after_s gate window impact_score best_near caught',
);
for (const info of infos) {
  const raw = readRecording(join(dir, info.file));
  const dts = raw.slice(1).map((s, i) => s.tMs - raw[i]!.tMs);
  const dtIrregular = Math.max(...dts) - Math.min(...dts) > 2;
  let repeatedXyz = 0;
  for (let i = 1; i < raw.length; i++) {
    const a = raw[i]!;
    const b = raw[i - 1]!;
    if (a.x === b.x && a.y === b.y && a.z === b.z) repeatedXyz++;
  }
  const at50 = loadAtBandRate(dir, info);
  const conditioned = InputConditioner.apply(input ?? {}, BAND_RATE_HZ, at50);
  const imp = findImpact(conditioned);
  const first = conditioned[0]!.tMs;
  const last = conditioned[conditioned.length - 1]!.tMs;
  // Which candidate windows the gate hands out, and the model's score of each (the scorer's own code path).
  const trig = new ImpactTrigger(trigger);
  let impactScore: number | undefined;
  let bestScoreNear: number | undefined;
  for (const s of conditioned)
    for (const w of trig.push(s)) {
      const score = scorer.scoreWindow(w.xyz);
      if (w.peakTMs === imp.tMs) impactScore = score;
      if (w.peakTMs >= imp.tMs - 2_000 && w.peakTMs <= imp.tMs + 500)
        bestScoreNear = Math.max(bestScoreNear ?? 0, score);
    }
  const replay = evaluateRecording(dir, info, scorer);
  const row: Row = {
    file: info.file,
    subject: info.subject,
    part: split.train.includes(info.subject) ? 'train' : 'validation',
    rateHz: info.rateHz,
    spanS: (raw[raw.length - 1]!.tMs - raw[0]!.tMs) / 1000,
    dtIrregular,
    repeatedXyz,
    rawPeakG: Math.max(...raw.map(magnitude)),
    peakG: imp.peakG,
    beforeS: (imp.tMs - first) / 1000,
    afterS: (last - imp.tMs) / 1000,
    gateOpens: imp.peakG >= trigger.gateG,
    windowCompletes: (last - imp.tMs) / step >= trigger.postSamples,
    impactScore,
    bestScoreNear,
    caught: replay.correct,
  };
  rows.push(row);
  console.log(
    [
      row.file,
      row.subject,
      row.part,
      row.rateHz,
      fmt(row.spanS, 1),
      row.dtIrregular ? 'yes' : 'no',
      row.repeatedXyz,
      fmt(row.rawPeakG),
      fmt(row.peakG),
      fmt(row.beforeS),
      fmt(row.afterS),
      row.gateOpens ? 'opens' : 'SHUT',
      row.windowCompletes ? 'complete' : 'CUT',
      row.impactScore === undefined ? '-' : fmt(row.impactScore, 3),
      row.bestScoreNear === undefined ? '-' : fmt(row.bestScoreNear, 3),
      row.caught ? 'TP' : 'FN',
    ].join(' '),
  );
}
scorer.dispose?.();

// Causes, in the order the edge path meets them: each missed fall counted once, at its first cause.
const missed = rows.filter((r) => !r.caught);
const shut = missed.filter((r) => !r.gateOpens);
const cut = missed.filter((r) => r.gateOpens && !r.windowCompletes);
const low = missed.filter((r) => r.gateOpens && r.windowCompletes);
const shortBefore = rows.filter((r) => r.beforeS < trigger.preSamples * (step / 1000));
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};
console.log(`\n# causes (${rows.length} falls, ${missed.length} missed by the replay)`);
console.log(`gate never opens on the impact (peak < ${trigger.gateG} g after conditioning): ${shut.length}`);
console.log(
  `gate opens, but the trial ends < ${(trigger.postSamples * step) / 1000} s after the impact (no window, no score): ${cut.length}`,
);
console.log(`window complete, model scores it below ${manifest.threshold}: ${low.length}`);
console.log(
  `all falls: trial ends < 2.5 s after the impact ${rows.filter((r) => !r.windowCompletes).length}; ` +
    `< 3 s of signal before the impact (window padded with the first sample) ${shortBefore.length}; ` +
    `irregular timestamps ${rows.filter((r) => r.dtIrregular).length}; files with repeated xyz samples ${rows.filter((r) => r.repeatedXyz > 0).length}`,
);
console.log(
  `after the impact, s: min ${fmt(
    q(
      rows.map((r) => r.afterS),
      0,
    ),
  )} p10 ${fmt(
    q(
      rows.map((r) => r.afterS),
      0.1,
    ),
  )} median ${fmt(
    q(
      rows.map((r) => r.afterS),
      0.5,
    ),
  )}; before: min ${fmt(
    q(
      rows.map((r) => r.beforeS),
      0,
    ),
  )} median ${fmt(
    q(
      rows.map((r) => r.beforeS),
      0.5,
    ),
  )}; peak g (conditioned) p10 ${fmt(
    q(
      rows.map((r) => r.peakG),
      0.1,
    ),
  )} median ${fmt(
    q(
      rows.map((r) => r.peakG),
      0.5,
    ),
  )}`,
);
const bands: [string, (g: number) => boolean][] = [
  ['< 2.0 g', (g) => g < 2],
  ['2.0-2.5 g', (g) => g >= 2 && g < 2.5],
  ['2.5-3.0 g', (g) => g >= 2.5 && g < 3],
  ['>= 3.0 g', (g) => g >= 3],
];
console.log(
  `by impact height (after conditioning): ${bands
    .map(([name, inBand]) => {
      const all = rows.filter((r) => inBand(r.peakG));
      return `${name}: ${all.filter((r) => !r.caught).length} missed of ${all.length}`;
    })
    .join('; ')}`,
);
const bySubject = [...new Set(rows.map((r) => r.subject))].map((s) => {
  const all = rows.filter((r) => r.subject === s);
  return `${s} ${all.filter((r) => !r.caught).length}/${all.length}`;
});
console.log(`missed per subject: ${bySubject.join(', ')}`);
