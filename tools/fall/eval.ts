// npm run eval:fall -- --data DIR [--scorer fall-model|fall-baseline] [--split test|validation|train|all]
//   [--subjects A,B] [--model-dir models/fall] [--threshold 0.5] [--confirm-ms 30000] [--quiet] [--keep-duplicates]
//
// Replays every recording of a falls-format folder through the edge path (registry scorer +
// ConfirmPolicy on a ManualClock), resampling to the band's 50 Hz where the folder's rate differs, and
// prints per-recording results, a confusion matrix, per-source figures and the fall-eval line.
// --split picks the subjects of the shipped model's manifest: `test` is for reporting only (nothing about the
// model was chosen on it), `validation` is where the threshold and the design were chosen, `train` is what
// the weights were fitted on (figures there flatter the model: never report them).
import { resolve } from 'node:path';
import { readFallsIndex } from '../../edge/src/datasets/falls.ts';
import { DEFAULT_FALL_MODEL_DIR } from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import { readManifest } from '../../edge/src/scoring/fall-model/model-files.ts';
import { type ScorerName, scorers } from '../../edge/src/scoring/registry.ts';
import type { ScorerOptions } from '../../edge/src/scoring/scorer.ts';
import { parseToolArgs } from '../cli-args.ts';
import {
  alarmsPerDay,
  byActivity,
  EVAL_DEFAULTS,
  evalLine,
  evaluateRecording,
  type RecordingResult,
  summarise,
} from './evaluate.ts';
import { dropDuplicateRecordings, FALLS_DATA_DIR } from './recordings.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FALLS_DATA_DIR },
    scorer: { type: 'string', default: 'fall-model' },
    split: { type: 'string' },
    subjects: { type: 'string' },
    'model-dir': { type: 'string' },
    threshold: { type: 'string' },
    'confirm-ms': { type: 'string', default: String(EVAL_DEFAULTS.confirmWindowMs) },
    quiet: { type: 'boolean', default: false },
    'keep-duplicates': { type: 'boolean', default: false },
  },
});

const name = args.scorer as ScorerName;
if (!(name in scorers)) {
  console.error(`unknown --scorer ${args.scorer}; one of: ${Object.keys(scorers).join(', ')}`);
  process.exit(2);
}
const dataDir = resolve(args.data);
const modelDir = resolve(args['model-dir'] ?? DEFAULT_FALL_MODEL_DIR);
let infos = readFallsIndex(dataDir);
// Byte-identical copies (SmartFallMM SF45's one trial filed 22 times) are replayed once, as train.ts trains on them.
if (!args['keep-duplicates']) infos = dropDuplicateRecordings(dataDir, infos).kept;
if (args.split) {
  // The split is the one the shipped model was trained with (its manifest), whatever scorer is evaluated,
  // so fall-baseline and fall-model are compared on the same subjects.
  const split = readManifest(modelDir).split;
  if (!split) throw new Error(`${modelDir}/manifest.json has no split`);
  if (args.split !== 'all') {
    const keep =
      args.split === 'test'
        ? split.test
        : args.split === 'validation'
          ? split.validation
          : args.split === 'train'
            ? split.train
            : undefined;
    if (!keep) throw new Error(`--split must be test, validation, train or all (got ${args.split})`);
    if (keep.length === 0) throw new Error(`${modelDir}/manifest.json has no ${args.split} subjects`);
    infos = infos.filter((r) => keep.includes(r.subject));
  }
}
if (args.subjects) {
  const keep = args.subjects.split(',').map((s) => s.trim());
  infos = infos.filter((r) => keep.includes(r.subject));
}
if (infos.length === 0) {
  console.error('no recordings selected');
  process.exit(2);
}

const options: ScorerOptions = { modelDir };
if (args.threshold) options.threshold = Number(args.threshold);
const scorer = await scorers[name](options);
const evalOptions = { ...EVAL_DEFAULTS, confirmWindowMs: Number(args['confirm-ms']) };
console.log(
  `# scorer ${scorer.id} (${scorer.model.name} ${scorer.model.version}` +
    `${'backend' in scorer ? `, tfjs ${String(scorer.backend)}` : ''}) on ${infos.length} recordings of ${dataDir}`,
);

const results: RecordingResult[] = [];
for (const info of infos) {
  const r = evaluateRecording(dataDir, info, scorer, evalOptions);
  results.push(r);
  if (!args.quiet) {
    const alarms = r.alarms.map((a) => `${Math.round(a.decidedAtMs)}ms@${a.score}`).join(' ') || '-';
    const verdict = r.info.label === 'fall' ? (r.correct ? 'TP' : 'FN') : r.correct ? 'TN' : 'FP';
    const latency = r.latencyMs === undefined ? '' : ` latency=${Math.round(r.latencyMs)}ms`;
    console.log(
      `${verdict} ${info.file} ${info.subject} ${info.activity} ${info.label}` +
        `${r.impactMs === undefined ? '' : ` impact=${r.impactMs}ms`} alarms=${alarms}${latency}`,
    );
  }
}
scorer.dispose?.();

const s = summarise(results);
console.log('\nconfusion matrix (recordings)');
console.log('               alarm   no alarm');
console.log(`  fall    ${String(s.truePositives).padStart(8)} ${String(s.falseNegatives).padStart(10)}`);
console.log(`  adl     ${String(s.falsePositives).padStart(8)} ${String(s.trueNegatives).padStart(10)}`);
const errors = byActivity(results).filter((r) => r.errors > 0);
if (errors.length) {
  console.log('\nerrors by activity');
  for (const e of errors) console.log(`  ${e.source} ${e.activity} (${e.label}): ${e.errors}/${e.n}`);
}
console.log(
  '\nper source (false alarms per ADL hour, and what one person wearing the band 16 h a day would meet)',
);
const perSource = (name: string, rs: readonly RecordingResult[]) => {
  const q = summarise(rs);
  console.log(
    `  ${name}: ${evalLine(q)} adl_hours=${q.adlHours.toFixed(2)} false_alarms=${q.adlAlarms} per_16h_day=${alarmsPerDay(q.falseAlarmsPerAdlHour).toFixed(2)}`,
  );
};
for (const src of [...new Set(results.map((r) => r.info.source))].sort())
  perSource(
    src,
    results.filter((r) => r.info.source === src),
  );
const wrist = results.filter((r) => r.info.position === 'wrist');
if (wrist.length && wrist.length < results.length) perSource('wrist sources together', wrist);
const late = results.filter((r) => (r.latencyMs ?? 0) > 3000).length;
console.log(
  `latency: median ${s.medianLatencyMs ?? 'n/a'} ms, max ${s.maxLatencyMs ?? 'n/a'} ms; ${late} caught falls alarmed later than 3 s`,
);
console.log(evalLine(s));
