// npm run train:fall -- [--data DIR] [--out models/fall] [--seed 7] [--epochs 6]
//   [--subjects A,B,...] [--validation A,B,...] [--test A,B,...] [--max-per-subject N] [--wrist-weight 1]
//   [--wrist-adl-weight 1] [--wrist-fall-weight 1] [--hard-negative-weight W] [--hard-negative-epochs 2] [--shape-features] [--members 5] [--no-impact-features] [--position-input] [--pre-samples N] [--post-samples N] [--merge-ms N] [--no-test]
//   [--keep-duplicates] [--clip-g 4] [--low-pass-hz 8 (0: none)] [--window-cache DIR|none] [--no-waist] [--exclude-source NAME --loso-out FILE.json]
//
// Trains the fall model on the falls dataset, split BY SUBJECT three ways: train (weights and
// standardisation), validation (threshold; every design choice was made on it) and test (replayed once,
// only to report). Writes model.json + weights.bin + manifest.json + README.md (the model card) into --out.
// Design runs pass --no-test (and --no-card --out /tmp/...): the test subjects are then not even loaded.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { readFallsIndex } from '../../edge/src/datasets/falls.ts';
import { createBaselineFallScorer } from '../../edge/src/scoring/fall-baseline/fall-baseline.scorer.ts';
import { createFallModelScorer } from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import { type FeatureLayout, featureNames } from '../../edge/src/scoring/fall-model/features.ts';
import type { TriggerParams } from '../../edge/src/scoring/fall-model/impact-trigger.ts';
import type { InputConditioning } from '../../edge/src/scoring/fall-model/input-conditioner.ts';
import {
  type FallModelManifest,
  MANIFEST_FILE,
  MODEL_FILE,
  WEIGHTS_FILE,
  writeLayersModel,
} from '../../edge/src/scoring/fall-model/model-files.ts';
import { BAND_RATE_HZ } from '../../edge/src/scoring/scorer.ts';
import { initTf } from '../../edge/src/scoring/tf-backend.ts';
import { parseToolArgs } from '../cli-args.ts';
import {
  byActivity,
  evalLine,
  evaluateRecording,
  type LosoEntry,
  type RecordingResult,
  summarise,
} from './evaluate.ts';
import { readLoso, writeModelCard } from './model-card.ts';
import {
  dropDuplicateRecordings,
  FALLS_DATA_DIR,
  rng,
  type SubjectSplit,
  splitSubjects,
} from './recordings.ts';
import { StackedTrainer } from './stacked-trainer.ts';
import { buildWindows, recordingCurve, type ThresholdPoint } from './windows.ts';

export const MODEL_VERSION = '3.2.0';
/**
 * Subjects whose figures informed model 1.0.0's design and threshold (its validation subjects): never drawn
 * for test, so the test subjects are ones nobody has looked at.
 */
export const SEEN_BY_V1 = ['SA01', 'SA04', 'SA06', 'SA08', 'SA09', 'SE07', 'SE09', 'U01', 'U05', 'U18'];
/** The test subjects of models 2.0.0 and 2.1.0: their figures have been read twice, so never test again. */
export const TESTED_BY_V2 = ['SA02', 'SA14', 'SA17', 'SA18', 'SE02', 'SE04', 'U06', 'U09', 'U11'];

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FALLS_DATA_DIR },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../models/fall') },
    seed: { type: 'string', default: '7' },
    epochs: { type: 'string', default: '6' },
    'batch-size': { type: 'string', default: '64' },
    'val-fraction': { type: 'string', default: '0.2' },
    'test-fraction': { type: 'string', default: '0.2' },
    subjects: { type: 'string' },
    validation: { type: 'string' },
    test: { type: 'string' },
    'no-test': { type: 'boolean', default: false },
    'pre-samples': { type: 'string', default: '150' },
    'post-samples': { type: 'string', default: '125' },
    'merge-ms': { type: 'string', default: '500' },
    'gate-g': { type: 'string', default: '1.6' },
    'hard-negatives': { type: 'boolean', default: false },
    'max-per-subject': { type: 'string' },
    'position-input': { type: 'boolean', default: false },
    'no-card': { type: 'boolean', default: false },
    'wrist-weight': { type: 'string', default: '1' },
    'wrist-adl-weight': { type: 'string', default: '1' },
    'wrist-fall-weight': { type: 'string', default: '1' },
    'no-impact-features': { type: 'boolean', default: false },
    'shape-features': { type: 'boolean', default: false },
    'hard-negative-weight': { type: 'string', default: '0' },
    'hard-negative-epochs': { type: 'string', default: '2' },
    members: { type: 'string', default: '5' },
    'clip-g': { type: 'string', default: '4' },
    'low-pass-hz': { type: 'string', default: '8' },
    'window-cache': { type: 'string', default: join(tmpdir(), 'anju-fall-windows') },
    'no-waist': { type: 'boolean', default: false },
    'exclude-source': { type: 'string' },
    'loso-out': { type: 'string' },
    'keep-duplicates': { type: 'boolean', default: false },
  },
});

const started = Date.now();
const log = (msg: string) =>
  console.log(`[train:fall ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const seed = Number(args.seed);
const epochs = Number(args.epochs);
const batchSize = Number(args['batch-size']);
const positionInput = args['position-input'];
/**
 * Gate 1.6 g: every fall impact in the dataset peaks above 1.7 g at 50 Hz; quiet living stays below.
 * Defaults chosen on validation (see the model card's design log): 3 s before the peak, 2.5 s after it, merge
 * span 500 ms from the opening sample, so every decision comes within 3 s of the first sample over the gate.
 */
const TRIGGER: TriggerParams = {
  gateG: Number(args['gate-g']),
  mergeMs: Number(args['merge-ms']),
  preSamples: Number(args['pre-samples']),
  postSamples: Number(args['post-samples']),
};
const LAYOUT: FeatureLayout = {
  rateHz: BAND_RATE_HZ,
  preSamples: TRIGGER.preSamples,
  postSamples: TRIGGER.postSamples,
  binSamples: 10,
  activityFeatures: true,
  impactFeatures: !args['no-impact-features'],
  shapeFeatures: args['shape-features'],
};
const dataDir = resolve(args.data);
// Each recording's windows are cached by parameters and code (window-cache.ts); `--window-cache none` turns it off.
const windowCache = args['window-cache'] === 'none' ? undefined : resolve(args['window-cache']);
const outDir = resolve(args.out);

const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()) : undefined);
let infos = readFallsIndex(dataDir);
// Recordings filed twice (SmartFallMM SF45: one trial 22 times) count once: recordings.ts.
const deduplicated = args['keep-duplicates']
  ? { kept: infos, dropped: [] }
  : dropDuplicateRecordings(dataDir, infos);
infos = deduplicated.kept;
const duplicates = deduplicated.dropped;
const clipG = Number(args['clip-g']) > 0 ? Number(args['clip-g']) : undefined;
const lowPassHz = Number(args['low-pass-hz']) > 0 ? Number(args['low-pass-hz']) : undefined;
// The scorer's input conditioning (input-conditioner.ts), recorded in the manifest and applied to every window.
const conditioning: InputConditioning = {
  ...(clipG === undefined ? {} : { clipG }),
  ...(lowPassHz === undefined ? {} : { lowPassHz }),
};
if (args['no-waist']) infos = infos.filter((r) => r.position === 'wrist');
// Leave-one-source-out: the excluded source takes no part in training or in any choice (validation is drawn
// from the other sources); every one of its recordings is replayed at the end, in place of the test split.
const excluded = args['exclude-source'];
const losoInfos = excluded ? infos.filter((r) => r.source === excluded) : [];
if (excluded) {
  if (losoInfos.length === 0) throw new Error(`--exclude-source ${excluded}: no such source`);
  infos = infos.filter((r) => r.source !== excluded);
}
const only = list(args.subjects);
if (only) infos = infos.filter((r) => only.includes(r.subject));
if (args['max-per-subject']) {
  // Tiny subsets for tests: the first N falls and N ADLs of each subject.
  const cap = Number(args['max-per-subject']);
  const seen = new Map<string, number>();
  infos = infos.filter((r) => {
    const k = `${r.subject}/${r.label}`;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return n <= cap;
  });
}
const explicitVal = list(args.validation);
const explicitTest = list(args.test) ?? [];
const split: SubjectSplit = explicitVal
  ? {
      train: [...new Set(infos.map((r) => r.subject))]
        .filter((s) => !explicitVal.includes(s) && !explicitTest.includes(s))
        .sort(),
      validation: explicitVal.sort(),
      test: explicitTest.sort(),
    }
  : splitSubjects(infos, seed, Number(args['val-fraction']), Number(args['test-fraction']), [
      ...SEEN_BY_V1,
      ...TESTED_BY_V2,
    ]);
const trainInfos = infos.filter((r) => split.train.includes(r.subject));
const valInfos = infos.filter((r) => split.validation.includes(r.subject));
const testInfos = excluded
  ? losoInfos
  : args['no-test']
    ? []
    : infos.filter((r) => split.test.includes(r.subject));
log(
  `data ${dataDir}: ${infos.length} recordings` +
    (duplicates.length
      ? ` (${duplicates.length} left out as byte-identical copies: ${duplicates.map((d) => d.file).join(' ')})`
      : '') +
    `; split by subject (seed ${seed})`,
);
log(`train subjects (${split.train.length}): ${split.train.join(' ')}`);
log(`validation subjects (${split.validation.length}): ${split.validation.join(' ')}`);
log(
  `test subjects (${split.test.length}): ${split.test.join(' ')}${args['no-test'] ? ' (not loaded: --no-test)' : ''}`,
);
if (excluded)
  log(
    `leave-one-source-out: ${excluded} (${losoInfos.length} recordings) left out of training and of every choice`,
  );

const { tf, backend } = await initTf(undefined, log);

const trainSet = buildWindows(
  dataDir,
  trainInfos,
  TRIGGER,
  LAYOUT,
  positionInput,
  args['hard-negatives'],
  conditioning,
  windowCache,
);
const valSet = buildWindows(
  dataDir,
  valInfos,
  TRIGGER,
  LAYOUT,
  positionInput,
  false,
  conditioning,
  windowCache,
);
const count = (labels: number[], v: number) => labels.filter((l) => l === v).length;
log(
  `windows: train ${trainSet.labels.length} (${count(trainSet.labels, 1)} impacts, ${count(trainSet.labels, 0)} non-falls, ` +
    `${count(trainSet.labels, -1)} ambiguous left out); validation ${valSet.labels.length} (${count(valSet.labels, 1)} impacts)`,
);

// Standardisation constants from the training subjects only.
const nInputs = trainSet.features[0]?.length ?? 0;
const usable = trainSet.labels.flatMap((l, i) => (l === -1 ? [] : [i]));
const mean = new Array<number>(nInputs).fill(0);
const std = new Array<number>(nInputs).fill(0);
for (const i of usable)
  for (let j = 0; j < nInputs; j++) mean[j]! += trainSet.features[i]![j]! / usable.length;
for (const i of usable)
  for (let j = 0; j < nInputs; j++) std[j]! += (trainSet.features[i]![j]! - mean[j]!) ** 2 / usable.length;
for (let j = 0; j < nInputs; j++) std[j] = Math.sqrt(std[j]!) || 1;
const standardise = (f: Float32Array) => f.map((v, j) => (v - mean[j]!) / std[j]!);

const toMatrix = (idx: readonly number[], set: typeof trainSet) => {
  const x = new Float32Array(idx.length * nInputs);
  idx.forEach((i, r) => {
    x.set(standardise(set.features[i]!), r * nInputs);
  });
  return x;
};

// An ensemble of small dense networks over the features, averaged. One network's figures swing with its
// random initialisation on data this small (a few hundred wrist recordings); the average of `--members`
// differently seeded ones is steadier. Pure-JS backends train each in seconds, and the whole ensemble
// runs in well under a millisecond per window.
const members = Number(args.members);
/** A training window scoring at least this after the first pass is a hard negative (--hard-negative-weight). */
const HN_SCORE = 0.3;
const wristWeight = Number(args['wrist-weight']);
const wristAdlWeight = Number(args['wrist-adl-weight']);
const wristFallWeight = Number(args['wrist-fall-weight']);
// Impacts are rarer than other peaks: show each impact window 3 times per epoch. The band is on the wrist
// and wrist recordings are the minority: show each of them `--wrist-weight` times as often.
// Wrist ADL windows are the false alarms the band's wearer would feel (clapping, hands up, lying down on a
// bed): `--wrist-adl-weight` shows each of them that many times more again. Wrist impacts are softer than the
// waist's (SmartFallMM's falls peak at 1.7–3 g): `--wrist-fall-weight` shows each wrist impact window that many
// times more again.
const epochIndex = usable.flatMap((i) => {
  const info = trainSet.recordings[trainSet.recording[i]!]!.info;
  const wrist = info.position === 'wrist';
  const times =
    (trainSet.labels[i] === 1 ? 3 : 1) *
    (wrist ? wristWeight : 1) *
    (wrist && info.label === 'adl' ? wristAdlWeight : 1) *
    (wrist && trainSet.labels[i] === 1 ? wristFallWeight : 1);
  return Array.from({ length: times }, () => i);
});
const trainMatrix = toMatrix(
  trainSet.labels.map((_, i) => i),
  trainSet,
);
const valIdx = valSet.labels.flatMap((l, i) => (l === -1 ? [] : [i]));
const xVal = tf.tensor2d(toMatrix(valIdx, valSet), [valIdx.length, nInputs]);
const yVal = tf.tensor2d(
  valIdx.map((i) => valSet.labels[i]!),
  [valIdx.length, 1],
);
const allVal = valSet.labels.map((_, i) => i);
const xValAll = tf.tensor2d(toMatrix(allVal, valSet), [allVal.length, nInputs]);
// One call for the whole matrix: predict's default batches of 32 made scoring the validation windows cost as
// much as an epoch.
const predict = (
  m: ReturnType<typeof tf.sequential> | ReturnType<typeof tf.model>,
  x: ReturnType<typeof tf.tensor>,
) => m.predict(x, { batchSize: 8192 }) as ReturnType<typeof tf.tensor>;

function buildMember(k: number) {
  const init = (l: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k * 10 + l });
  const l2 = () => tf.regularizers.l2({ l2: 1e-4 });
  const m = tf.sequential({
    name: `member${k}`,
    layers: [
      tf.layers.dense({
        name: `m${k}_dense1`,
        inputShape: [nInputs],
        units: 32,
        activation: 'relu',
        kernelInitializer: init(1),
        kernelRegularizer: l2(),
      }),
      tf.layers.dense({
        name: `m${k}_dense2`,
        units: 16,
        activation: 'relu',
        kernelInitializer: init(2),
        kernelRegularizer: l2(),
      }),
      tf.layers.dense({ name: `m${k}_out`, units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
    ],
  });
  return m;
}

/** After the last epoch of a phase: each member's validation loss and recording-level figures at 0.5. */
function logValidation(trained: readonly ReturnType<typeof buildMember>[], tags: readonly string[]) {
  trained.forEach((m, k) => {
    const valLoss = tf.tidy(
      () => tf.mean(tf.metrics.binaryCrossentropy(yVal, predict(m, xVal))).dataSync()[0]!,
    );
    const scores = tf.tidy(() => predict(m, xValAll).dataSync() as Float32Array);
    const at = recordingCurve(valSet, scores, [0.5])[0]!;
    log(
      `${tags[k]} val_loss ${valLoss.toFixed(4)} ` +
        `val@0.5 sensitivity ${at.sensitivity.toFixed(3)} specificity ${at.specificity.toFixed(3)}`,
    );
  });
}

// Every member from its own seed: initial weights (buildMember), shuffles (rands) and Adam moments — trained
// side by side in one stack (stacked-trainer.ts), which is member-by-member training at a fraction of the cost.
const rands = Array.from({ length: members }, (_, k) => rng(seed * 1000 + k));
const trained = Array.from({ length: members }, (_, k) => buildMember(k));
const stack = new StackedTrainer(tf, {
  members: trained,
  nInputs,
  matrix: trainMatrix,
  labels: trainSet.labels,
  batchSize,
  learningRate: 1e-3,
});
async function runEpochs(index: readonly number[], first: number, last: number, phase = '') {
  for (let epoch = first; epoch <= last; epoch++) {
    const losses = stack.epoch(index, rands);
    const tags = losses.map(
      (l, k) => `member ${k + 1}/${members} ${phase}epoch ${epoch}/${last} loss ${l.toFixed(4)}`,
    );
    // Validation loss only after the last epoch: scoring every validation window costs as much as a few epochs.
    if (epoch === last) {
      stack.writeBack();
      logValidation(trained, tags);
    } else log(tags.join('; '));
  }
}

const trainStarted = Date.now();
await runEpochs(epochIndex, 1, epochs);
// Hard-negative pass: the wrist ADL windows of the TRAINING subjects that the ensemble still scores as falls
// (table hits, chair collapses, jumps) are shown `--hard-negative-weight` times more in `--hard-negative-epochs`
// further epochs of every member. Validation windows are never mined.
const hnWeight = Number(args['hard-negative-weight']);
const hnEpochs = Number(args['hard-negative-epochs']);
let hardNegativeCount = 0;
if (hnWeight > 0 && hnEpochs > 0) {
  const sum = new Float32Array(trainSet.labels.length);
  for (const m of trained) {
    const sc = tf.tidy(() => {
      const x = tf.tensor2d(trainMatrix, [trainSet.labels.length, nInputs]);
      return predict(m, x).dataSync() as Float32Array;
    });
    sc.forEach((v, i) => {
      sum[i]! += v / members;
    });
  }
  const hard = usable.filter((i) => {
    const info = trainSet.recordings[trainSet.recording[i]!]!.info;
    return (
      trainSet.labels[i] === 0 && info.position === 'wrist' && info.label === 'adl' && sum[i]! >= HN_SCORE
    );
  });
  hardNegativeCount = hard.length;
  const kinds = new Map<string, number>();
  for (const i of hard) {
    const info = trainSet.recordings[trainSet.recording[i]!]!.info;
    const key = `${info.source} ${info.activity}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  log(
    `hard negatives: ${hard.length} wrist ADL training windows score ≥ ${HN_SCORE} ` +
      `(${[...kinds]
        .sort((a, b) => b[1] - a[1])
        .map(([key, n]) => `${key} ${n}`)
        .join(', ')}); ` +
      `each shown ${hnWeight}× more for ${hnEpochs} epochs`,
  );
  const index = [...epochIndex, ...hard.flatMap((i) => Array.from({ length: hnWeight }, () => i))];
  await runEpochs(index, epochs + 1, epochs + hnEpochs, 'hard-negative ');
}
stack.dispose();
const trainSeconds = (Date.now() - trainStarted) / 1000;

// One model file: the members side by side on the same input, their outputs averaged.
const input = tf.input({ shape: [nInputs], name: 'features' });
const outs = trained.map((m) =>
  m.layers.reduce<SymbolicTensor>((x, layer) => layer.apply(x) as SymbolicTensor, input),
);
const model = tf.model({
  name: 'fall_ensemble',
  inputs: input,
  outputs: outs.length > 1 ? (tf.layers.average({ name: 'mean' }).apply(outs) as SymbolicTensor) : outs[0]!,
});
log(
  `model: ${members} × (${nInputs} → 32 → 16 → 1) averaged, ${model.countParams()} parameters, backend ${backend}`,
);
const scoreVal = () => tf.tidy(() => predict(model, xValAll).dataSync() as Float32Array);

// Threshold on the validation subjects (never the training ones). Missing a fall is worse than a false
// alarm, which the elder can cancel with "I'm OK": take the highest threshold — the fewest false alarms —
// that still catches at least MIN_SENSITIVITY of the falls of EVERY source (wrist and waist alike). If no
// threshold does, maximise Youden's J (sensitivity + specificity - 1) averaged over the sources.
const MIN_SENSITIVITY = 0.95;
// A source whose validation subjects hold fewer falls than this is too coarse to be judged alone (SmartFallMM's two
// validation fallers hold 5 falls: one fall is 0.2 of sensitivity); it is judged inside the pooled wrist group.
const MIN_FALLS_ALONE = 20;
// A fall counts as caught on this curve only by a window decided within 3 s of the impact (the latency target).
const LATEST_PEAK_MS = 3000 - (TRIGGER.postSamples * 1000) / BAND_RATE_HZ;
const grid = Array.from({ length: 199 }, (_, i) => Math.round((0.005 + i * 0.005) * 1000) / 1000);
const valScores = scoreVal();
const curve = recordingCurve(valSet, valScores, grid, undefined, LATEST_PEAK_MS);
const valSources = [...new Set(valSet.recordings.map((r) => r.info.source))].sort();
const perSource = valSources.map((src) => recordingCurve(valSet, valScores, grid, src, LATEST_PEAK_MS));
const valFalls = (pred: (r: { info: { source: string; position: string; label: string } }) => boolean) =>
  valSet.recordings.filter((r) => r.info.label === 'fall' && pred(r)).length;
const judgedAlone = valSources.filter((src) => valFalls((r) => r.info.source === src) >= MIN_FALLS_ALONE);
const wristCurve = recordingCurve(valSet, valScores, grid, 'wrist', LATEST_PEAK_MS);
const hasWristFalls = valFalls((r) => r.info.position === 'wrist') > 0;
const sensitiveEnough = grid.map(
  (_, i) =>
    valSources.every(
      (src, k) => !judgedAlone.includes(src) || perSource[k]![i]!.sensitivity >= MIN_SENSITIVITY,
    ) &&
    (!hasWristFalls || wristCurve[i]!.sensitivity >= MIN_SENSITIVITY),
);
const j = (p: ThresholdPoint) => p.sensitivity + p.specificity - 1;
const macroJ = grid.map((_, i) => perSource.reduce((a, c) => a + j(c[i]!), 0) / perSource.length);
const lastSensitive = sensitiveEnough.lastIndexOf(true);
const bestJ = Math.max(...macroJ);
const thresholdRule =
  lastSensitive >= 0
    ? `highest threshold with sensitivity ≥ ${MIN_SENSITIVITY} on the wrist sources together and on every source ` +
      `with ≥ ${MIN_FALLS_ALONE} validation falls (${judgedAlone.join(', ')})`
    : `no threshold reaches sensitivity ${MIN_SENSITIVITY} on every source: maximum macro-averaged Youden J`;
const threshold = lastSensitive >= 0 ? grid[lastSensitive]! : grid[macroJ.indexOf(bestJ)]!;
log(`threshold ${threshold} (${thresholdRule}; sources ${valSources.join(', ')})`);

mkdirSync(outDir, { recursive: true });
const weightBytes = await writeLayersModel(tf, model, outDir);
const manifest: FallModelManifest = {
  name: 'fall-model',
  version: MODEL_VERSION,
  threshold,
  rateHz: BAND_RATE_HZ,
  trigger: TRIGGER,
  features: { ...LAYOUT, names: featureNames(LAYOUT), mean, std, positionInput },
  ...(Object.keys(conditioning).length ? { input: conditioning } : {}),
  split: {
    seed,
    ...split,
    rule:
      'by subject, per source and per kind (fall subjects / ADL-only subjects: SisFall elderly, UMAFall ADL-only), ' +
      `shuffled with the seed: ${args['test-fraction']} test, ${args['val-fraction']} validation, rest train; ` +
      `subjects seen by model 1.0.0's design (${SEEN_BY_V1.join(' ')}) and the test subjects of models 2.0.0/2.1.0 ` +
      `(${TESTED_BY_V2.join(' ')}) never drawn for test`,
  },
  training: {
    data: `${[...new Set(infos.map((r) => `${r.source} ${r.position}`))].sort().join(' + ')} (../shared/datasets/falls)`,
    ...(excluded ? { excludedSource: excluded } : {}),
    duplicatesLeftOut: duplicates.map((d) => d.file),
    epochs,
    batchSize,
    wristWeight,
    wristAdlWeight,
    wristFallWeight,
    members,
    hardNegatives: args['hard-negatives'],
    ...(hnWeight > 0 && hnEpochs > 0
      ? {
          hardNegativePass: {
            weight: hnWeight,
            epochs: hnEpochs,
            minScore: HN_SCORE,
            windows: hardNegativeCount,
          },
        }
      : {}),
    backend,
    windows: { train: trainSet.labels.length, validation: valSet.labels.length },
    thresholdRule,
  },
};
writeFileSync(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
const modelBytes = [MODEL_FILE, WEIGHTS_FILE, MANIFEST_FILE].reduce(
  (a, f) => a + statSync(join(outDir, f)).size,
  0,
);
log(
  `wrote ${outDir}: ${weightBytes} bytes of weights, ${modelBytes} bytes with model.json and manifest.json`,
);
const params = model.countParams();
model.dispose();
for (const m of trained) m.dispose();

// The published figures: the real scorer, loaded back from the files just written, replayed through
// ConfirmPolicy on the validation subjects; the baseline on the same recordings for comparison.
const scorer = await createFallModelScorer({ modelDir: outDir });
const modelResults: RecordingResult[] = valInfos.map((info) => evaluateRecording(dataDir, info, scorer));
const baselineResults: RecordingResult[] = valInfos.map((info) =>
  evaluateRecording(dataDir, info, createBaselineFallScorer()),
);
const report = (part: string, results: readonly RecordingResult[]) => {
  for (const src of [...new Set(results.map((r) => r.info.source))].sort()) {
    const q = summarise(results.filter((r) => r.info.source === src));
    log(
      `${part} ${src}: ${evalLine(q)} max_latency_ms=${q.maxLatencyMs ?? 'n/a'} ` +
        `caught=${q.truePositives} false_alarms=${q.adlAlarms} adl_alarmed=${q.falsePositives} adl_hours=${q.adlHours.toFixed(3)}`,
    );
  }
  const wrist = results.filter((r) => r.info.position === 'wrist');
  if (wrist.length && wrist.length < results.length) {
    const w = summarise(wrist);
    log(
      `${part} wrist sources together: ${evalLine(w)} false_alarms=${w.adlAlarms} adl_hours=${w.adlHours.toFixed(2)}`,
    );
  }
  const q = summarise(results);
  log(`${part}: ${evalLine(q)} max_latency_ms=${q.maxLatencyMs ?? 'n/a'}`);
};
report('validation (edge replay)', modelResults);
// The test subjects, replayed once through the same path, after every choice above was fixed on validation.
const testResults: RecordingResult[] = testInfos.map((info) => evaluateRecording(dataDir, info, scorer));
const testBaseline: RecordingResult[] = testInfos.map((info) =>
  evaluateRecording(dataDir, info, createBaselineFallScorer()),
);
if (testResults.length)
  report(excluded ? `LEFT-OUT SOURCE ${excluded} (edge replay)` : 'TEST (edge replay)', testResults);
if (excluded && args['loso-out']) {
  // One entry per left-out source, gathered by the final training run into the model card.
  const file = resolve(args['loso-out']);
  const prior = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LosoEntry[]) : [];
  const q = summarise(testResults);
  const entry: LosoEntry = {
    source: excluded,
    threshold,
    validationSources: valSources,
    summary: q,
    errorsByActivity: byActivity(testResults).filter((r) => r.errors > 0),
    args: process.argv.slice(2).join(' '),
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(file, `${JSON.stringify([...prior.filter((e) => e.source !== excluded), entry], null, 2)}\n`);
  log(`wrote ${file}`);
}
// Single-window latency on this process's backend (bench:fall gives the pinned-core figures per backend).
const xyz = new Float32Array((TRIGGER.preSamples + TRIGGER.postSamples + 1) * 3).map((_, i) =>
  i % 3 === 2 ? 1 : 0,
);
const times: number[] = [];
for (let i = 0; i < 300; i++) {
  const t0 = process.hrtime.bigint();
  scorer.scoreWindow(xyz);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
scorer.dispose?.();

const totalSeconds = (Date.now() - started) / 1000;
if (!args['no-card'])
  writeModelCard(outDir, {
    manifest,
    dataDir,
    infos,
    trainInfos,
    valInfos,
    trainWindows: trainSet,
    valWindows: valSet,
    params,
    weightBytes,
    modelBytes,
    curve,
    thresholdRule,
    sourceCurves: Object.fromEntries(valSources.map((src, i) => [src, perSource[i]!])),
    modelResults,
    baselineResults,
    testInfos,
    testResults,
    testBaseline,
    trainSeconds,
    totalSeconds,
    backend,
    medianInferenceMs: times[150]!,
    loso: excluded ? [] : readLoso(join(outDir, 'loso.json')),
  });
// The training budget is 20 min on a 2-core machine: the wall time, with the load it was measured under.
log(
  `done: wall time ${totalSeconds.toFixed(1)} s (fitting ${trainSeconds.toFixed(1)} s); ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
);
