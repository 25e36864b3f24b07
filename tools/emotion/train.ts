// npm run train:emotion -- [--seed 13] [--init-seed S] [--epochs 40] [--blocks expr+mx] [--view expr3x3+mxGlobal]
//                          [--hidden 256] [--reduce 0] [--no-tta] [--no-write] [--no-test] [--out models/emotion]
//
// Improves on face-api's shipped expression layer with a small head on frozen features from inside face-api's
// own nets (edge/src/scoring/emotion/face-features.ts): the expression net's 7×7×256 map before its global
// pooling and the landmark net's map, read through a chosen view (pooled to 3×3 positions, or the whole map
// through a shared per-position layer), and from a second frozen net, the mini-Xception of @vladmandic/human
// (edge/src/scoring/emotion/mini-xception.ts: its last map pooled, its logits). Each net's features are cached
// under their own key. Convolution training in pure JS is far too slow on 2 cores, so the
// frozen nets run once per crop and its mirror (augmentation and test-time flip averaging), cached under
// .data/cache/emotion; the head then trains in minutes. Split: Training_* files of ../shared/datasets/faces,
// stratified by class into train and validation (epoch, view and head are chosen on validation: --no-write
// runs validation only); PublicTest_* is the test split, classified once at the end through the classifier
// the gateway loads, never used for a choice. Seeded; writes model.json, weights.bin, manifest.json and the
// model card README.md into --out.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EmotionManifest } from '../../edge/src/scoring/emotion/expression-classifier.ts';
import { EMOTIONS } from '../../edge/src/scoring/emotion/expressions.ts';
import { loadFaceApi } from '../../edge/src/scoring/emotion/face-api.loader.ts';
import {
  blocksFor,
  extractFeatures,
  type FeatureBlock,
  type FeatureView,
  featureView,
  isFaceApiBlock,
  loadFeatureNets,
  VIEW_SIZE,
} from '../../edge/src/scoring/emotion/face-features.ts';
import { MINI_XCEPTION_ORDER, miniXceptionSource } from '../../edge/src/scoring/emotion/mini-xception.ts';
import { writeLayersModel } from '../../edge/src/scoring/fall-model/model-files.ts';
import { parseToolArgs } from '../cli-args.ts';
import { rng, shuffle } from '../fall/recordings.ts';
import { FACES_DIR, listFaces, orderFaces } from './dataset.ts';
import { type FeatureSet, featuresOf } from './feature-cache.ts';
import { confusionReport, formatReport } from './metrics.ts';
import { writeEmotionCard } from './model-card.ts';

export const EMOTION_MODEL_VERSION = '1.1.0';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FACES_DIR },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../models/emotion') },
    /** Seeds the split (and, without --init-seed, the head's initialisation, dropout and epoch order). */
    seed: { type: 'string', default: '13' },
    /** Seeds only the head's initialisation, dropout and epoch order: the same split, another run (seed spread). */
    'init-seed': { type: 'string' },
    epochs: { type: 'string', default: '40' },
    hidden: { type: 'string', default: '256' },
    dropout: { type: 'string', default: '0.5' },
    l2: { type: 'string', default: '0.0005' },
    lr: { type: 'string', default: '0.001' },
    'batch-size': { type: 'string', default: '128' },
    'val-fraction': { type: 'string', default: '0.15' },
    /** Stop after this many epochs without a better validation macro-F1. */
    patience: { type: 'string', default: '6' },
    'no-test': { type: 'boolean', default: false },
    /** Validation only: no model written, no test (for choosing the features and the head). */
    'no-write': { type: 'boolean', default: false },
    /** Caps per class (0 = all): the frozen nets' features cost ~35 ms a face on an idle core. */
    'train-per-class': { type: 'string', default: '0' },
    'test-per-class': { type: 'string', default: '0' },
    'no-flip': { type: 'boolean', default: false },
    /** What the head reads (face-features.ts FeatureView), joined by +. */
    view: { type: 'string', default: 'expr3x3' },
    /** exprMap only: a shared per-position layer of this many units before the head (0 = none). */
    reduce: { type: 'string', default: '0' },
    /** Test-time flip averaging: the head's answer for the crop and its mirror, averaged. */
    'no-tta': { type: 'boolean', default: false },
    /** The frozen blocks to extract and cache (face-features.ts): expr, expr+landmark (~1.8× the time), expr+mx. */
    blocks: { type: 'string', default: 'expr' },
    /** With --extract-only: compute only cache chunk k of every n (parallel extraction), e.g. 0/2. */
    shard: { type: 'string' },
    'extract-only': { type: 'boolean', default: false },
  },
});
const seed = Number(args.seed);
const initSeed = args['init-seed'] === undefined ? seed : Number(args['init-seed']);
const startedAt = Date.now();

const rt = await loadFaceApi(['wasm', 'cpu'], (m) => console.log(m));
const { tf } = rt;
const flip = !args['no-flip'];
// A stable per-class cap of each part, in name order after a seeded shuffle.
const files = orderFaces(listFaces(args.data), seed, {
  Training: Number(args['train-per-class']),
  PublicTest: Number(args['test-per-class']),
});
const log = (msg: string) => console.log(`[${Math.round((Date.now() - startedAt) / 1000)} s] ${msg}`);
log(`${files.length} faces in ${args.data}`);

// Stratified split of the Training_* files; PublicTest_* is test.
const rand = rng(seed);
const trainIdx: number[] = [];
const valIdx: number[] = [];
const testIdx: number[] = [];
for (const label of EMOTIONS) {
  const pool = files.flatMap((f, i) => (f.label === label && f.part === 'Training' ? [i] : []));
  shuffle(pool, rand);
  const nVal = Math.round(pool.length * Number(args['val-fraction']));
  valIdx.push(...pool.slice(0, nVal));
  trainIdx.push(...pool.slice(nVal));
  testIdx.push(...files.flatMap((f, i) => (f.label === label && f.part === 'PublicTest' ? [i] : [])));
}
log(`split: train ${trainIdx.length}, validation ${valIdx.length}, test ${testIdx.length} (PublicTest)`);

const blocks = args.blocks.split('+') as FeatureBlock[];
await loadFeatureNets(rt, blocks);
const shard = args.shard?.split('/').map(Number) as [number, number] | undefined;
// One cache per net: face-api's blocks under face-api's key (as before), the mini-Xception's under its own,
// so either can be combined with the other without computing it again. A raw row is the groups side by side.
const groups = [blocks.filter(isFaceApiBlock), blocks.filter((b) => !isFaceApiBlock(b))].filter(
  (g) => g.length > 0,
);
const rawBlocks = groups.flat();
const featureSets: FeatureSet[] = [];
for (const g of groups) {
  const set = await featuresOf(
    tf,
    (crops) => extractFeatures(rt, crops, g),
    files,
    isFaceApiBlock(g[0]!)
      ? `face-api-${rt.faceapi.version}/${g.join('+')}`
      : `${miniXceptionSource()}/map4x4+logits`,
    args['extract-only'] ? shard : undefined,
  );
  if (set) featureSets.push(set);
}
if (args['extract-only']) process.exit(0);
const rawDim = featureSets.reduce((a, f) => a + f.dim, 0);
const views = args.view.split('+') as FeatureView[];
for (const v of views)
  if (!(v in VIEW_SIZE)) throw new Error(`--view: unknown ${v} (${Object.keys(VIEW_SIZE).join(', ')})`);
if (!blocksFor(views).every((b) => rawBlocks.includes(b)))
  throw new Error(`--view ${args.view} needs --blocks ${blocksFor(views).join('+')}`);
const dim = views.reduce((a, v) => a + VIEW_SIZE[v], 0);
const reduce = Number(args.reduce);
if (reduce > 0 && args.view !== 'exprMap') throw new Error('--reduce needs --view exprMap');
const tta = !args['no-tta'];
log(`features ready: ${rawDim} raw per face; the head reads ${args.view} = ${dim}`);

type T2 = ReturnType<typeof tf.tensor2d>;
/** The chosen view of the given rows (cached raw features → face-features.ts featureView, in chunks). */
const viewRows = (idx: number[], mirrored: boolean, v: readonly FeatureView[] = views) => {
  const d = v.reduce((a, x) => a + VIEW_SIZE[x], 0);
  const out = new Float32Array(idx.length * d);
  for (let s = 0; s < idx.length; s += 512) {
    const part = idx.slice(s, s + 512);
    const raw = new Float32Array(part.length * rawDim);
    let offset = 0;
    for (const set of featureSets) {
      const src = mirrored ? set.xFlip : set.x;
      part.forEach((i, r) => {
        raw.set(src.subarray(i * set.dim, (i + 1) * set.dim), r * rawDim + offset);
      });
      offset += set.dim;
    }
    const t = tf.tensor2d(raw, [part.length, rawDim]);
    const view = featureView(rt, t, v, rawBlocks);
    out.set(view.dataSync() as Float32Array, s * d);
    tf.dispose([t, view]);
  }
  return out;
};

// Standardisation from the training rows (both orientations when mirrors are used).
const trainRows = flip ? [viewRows(trainIdx, false), viewRows(trainIdx, true)] : [viewRows(trainIdx, false)];
const nTrain = trainIdx.length * trainRows.length;
const mean = new Float64Array(dim);
const sq = new Float64Array(dim);
for (const rows of trainRows)
  for (let r = 0; r < trainIdx.length; r++)
    for (let j = 0; j < dim; j++) {
      const v = rows[r * dim + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
const std = new Float64Array(dim);
for (let j = 0; j < dim; j++) {
  mean[j]! /= nTrain;
  std[j] = Math.sqrt(Math.max(0, sq[j]! / nTrain - mean[j]! ** 2)) || 1;
}
const standardise = (rows: Float32Array) => {
  for (let i = 0; i < rows.length; i++) rows[i] = (rows[i]! - mean[i % dim]!) / std[i % dim]!;
  return rows;
};

// Class weights (inverse square root of frequency): disgust is rare; plain weighting makes it shout.
const counts = EMOTIONS.map((_, k) => trainIdx.filter((i) => files[i]!.label === EMOTIONS[k]).length);
const maxCount = Math.max(...counts);
const classWeight = Object.fromEntries(counts.map((c, k) => [k, Math.sqrt(maxCount / c)]));

const hidden = Number(args.hidden);
const dropout = Number(args.dropout);
const model = tf.sequential();
const l2 = tf.regularizers.l2({ l2: Number(args.l2) });
if (reduce > 0) {
  // One small layer shared by the 49 positions of the map (a 1×1 convolution), then the head on what it keeps.
  model.add(tf.layers.reshape({ inputShape: [dim], targetShape: [49, 256] }));
  model.add(
    tf.layers.dense({
      units: reduce,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed + 3 }),
      kernelRegularizer: l2,
    }),
  );
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: dropout, seed: initSeed + 4 }));
}
if (hidden > 0) {
  model.add(
    tf.layers.dense({
      ...(reduce > 0 ? {} : { inputShape: [dim] }),
      units: hidden,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed }),
      kernelRegularizer: l2,
    }),
  );
  model.add(tf.layers.dropout({ rate: dropout, seed: initSeed + 1 }));
}
model.add(
  tf.layers.dense({
    ...(hidden > 0 || reduce > 0 ? {} : { inputShape: [dim] }),
    units: EMOTIONS.length,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed + 2 }),
    kernelRegularizer: l2,
  }),
);
model.compile({
  optimizer: tf.train.adam(Number(args.lr)),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
});

const labelsOf = (idx: number[]) => idx.map((i) => EMOTIONS.indexOf(files[i]!.label));
const trainX = tf.tensor2d(
  (() => {
    const all = new Float32Array(nTrain * dim);
    trainRows.forEach((rows, k) => {
      all.set(standardise(rows), k * trainIdx.length * dim);
    });
    return all;
  })(),
  [nTrain, dim],
);
trainRows.length = 0;
const trainY = trainRowsLabels();
function trainRowsLabels() {
  const y = labelsOf(trainIdx);
  return flip ? [...y, ...y] : y;
}
const valX = tf.tensor2d(standardise(viewRows(valIdx, false)), [valIdx.length, dim]);
const valXFlip = tf.tensor2d(standardise(viewRows(valIdx, true)), [valIdx.length, dim]);
const valY = labelsOf(valIdx);

/** Arg-max per row of what `fn` computes, tensors disposed. */
const argmaxOf = (fn: () => T2): number[] => {
  const t = tf.tidy(() => tf.argMax(fn(), 1));
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
};
/** The head's classes for rows and, with test-time flip averaging, their mirrors. */
const predictLabels = (m: LayersModel, x: T2, xFlip: T2, withTta = tta) =>
  argmaxOf(() =>
    withTta ? (tf.add(m.predict(x) as T2, m.predict(xFlip) as T2) as T2) : (m.predict(x) as T2),
  );
const FACE_API = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'] as const;
const fromFaceApi = (p: number) => EMOTIONS.indexOf(FACE_API[p]!);

const epochs = Number(args.epochs);
const batchSize = Number(args['batch-size']);
let best = { epoch: 0, macroF1: -1, accuracy: 0, weights: [] as ReturnType<typeof tf.tensor>[] };
const order = trainY.map((_, i) => i);
// Without --init-seed the epoch order continues the split's stream (as every earlier run did: same figures).
const epochRand = initSeed === seed ? rand : rng(initSeed + 1000);
for (let epoch = 1; epoch <= epochs; epoch++) {
  shuffle(order, epochRand);
  const idx = tf.tensor1d(order, 'int32');
  const x = tf.gather(trainX, idx);
  const y = tf.oneHot(tf.gather(tf.tensor1d(trainY, 'int32'), idx), EMOTIONS.length);
  const h = await model.fit(x, y, { epochs: 1, batchSize, shuffle: false, classWeight, verbose: 0 });
  tf.dispose([idx, x, y]);
  const r = confusionReport(valY, predictLabels(model, valX, valXFlip));
  if (r.macroF1 > best.macroF1) {
    tf.dispose(best.weights);
    best = {
      epoch,
      macroF1: r.macroF1,
      accuracy: r.accuracy,
      weights: model.getWeights().map((w) => w.clone()),
    };
  }
  if (epoch - best.epoch >= Number(args.patience)) {
    log(`epoch ${epoch}: no better validation macro-F1 for ${args.patience} epochs, stopping`);
    break;
  }
  if (epoch % 5 === 0 || epoch === 1)
    log(
      `epoch ${epoch}/${epochs}: loss ${(h.history.loss![0] as number).toFixed(3)}, validation accuracy ${r.accuracy.toFixed(3)} macro-F1 ${r.macroF1.toFixed(3)}`,
    );
}
model.setWeights(best.weights);
const val = confusionReport(valY, predictLabels(model, valX, valXFlip));
const valNoTta = confusionReport(valY, predictLabels(model, valX, valXFlip, false));

// The shipped 256 → 7 layer on the same validation split, for the comparison and the card.
const shippedOn = (idx: number[]) => {
  const x = tf.tensor2d(viewRows(idx, false, ['exprGlobal']), [idx.length, 256]);
  const out = argmaxOf(
    () => tf.softmax(rt.faceapi.nets.faceExpressionNet.runNet(x as never) as unknown as T2) as T2,
  ).map(fromFaceApi);
  x.dispose();
  return out;
};
const shippedValReport = confusionReport(valY, shippedOn(valIdx));
// The mini-Xception's own answer (its softmax, averaged with its mirror's, as the probe measured it), when cached.
const mxOn = (idx: number[]) => {
  if (!rawBlocks.includes('mx')) return undefined;
  const a = tf.tensor2d(viewRows(idx, false, ['mxLogits']), [idx.length, 7]);
  const b = tf.tensor2d(viewRows(idx, true, ['mxLogits']), [idx.length, 7]);
  const out = argmaxOf(() => tf.add(tf.softmax(a), tf.softmax(b)) as T2).map((p) =>
    EMOTIONS.indexOf(MINI_XCEPTION_ORDER[p]!),
  );
  tf.dispose([a, b]);
  return out;
};
const mxValPredicted = mxOn(valIdx);
const mxValReport = mxValPredicted ? confusionReport(valY, mxValPredicted) : undefined;
log(
  `kept epoch ${best.epoch}: validation accuracy ${val.accuracy.toFixed(3)} macro-F1 ${val.macroF1.toFixed(3)}` +
    ` (without flip averaging ${valNoTta.accuracy.toFixed(3)} / ${valNoTta.macroF1.toFixed(3)});` +
    ` face-api as shipped on the same validation faces: ${shippedValReport.accuracy.toFixed(3)} / ${shippedValReport.macroF1.toFixed(3)}` +
    (mxValReport
      ? `; mini-Xception as shipped (flip averaged): ${mxValReport.accuracy.toFixed(3)} / ${mxValReport.macroF1.toFixed(3)}`
      : ''),
);
console.log(
  `\nVALIDATION (${valIdx.length} faces), head ${args.view}${reduce ? ` reduce ${reduce}` : ''}:\n${formatReport(val)}`,
);
console.log(
  `emotion-train-validation view=${args.view} reduce=${reduce} hidden=${hidden} dropout=${dropout} l2=${args.l2} seed=${seed} init_seed=${initSeed} tta=${tta} kept_epoch=${best.epoch} accuracy=${val.accuracy.toFixed(3)} macro_f1=${val.macroF1.toFixed(3)} shipped_accuracy=${shippedValReport.accuracy.toFixed(3)} seconds=${Math.round((Date.now() - startedAt) / 1000)} load=${loadavg()[0]!.toFixed(1)}`,
);
if (args['no-write']) process.exit(0);

mkdirSync(args.out, { recursive: true });
const weightsBytes = await writeLayersModel(tf, model, args.out);
const manifest: EmotionManifest = {
  name: 'emotion-head',
  version: EMOTION_MODEL_VERSION,
  features: {
    source: sourceOf(blocksFor(views)),
    blocks: blocksFor(views),
    views,
    size: dim,
    mean: Array.from(mean),
    std: Array.from(std),
  },
  tta,
  classes: [...EMOTIONS],
  training: {
    seed,
    epochs,
    keptEpoch: best.epoch,
    hidden,
    reduce,
    dropout,
    l2: Number(args.l2),
  },
};
writeFileSync(join(args.out, 'manifest.json'), `${JSON.stringify(manifest)}\n`);

/** The frozen nets a block list runs, e.g. `face-api-1.7.15/expr + human-3.3.6/mini-xception`. */
function sourceOf(bs: FeatureBlock[]): string {
  const faceApi = bs.filter(isFaceApiBlock);
  return [
    ...(faceApi.length ? [`face-api-${rt.faceapi.version}/${faceApi.join('+')}`] : []),
    ...(bs.includes('mx') ? [miniXceptionSource()] : []),
  ].join(' + ');
}

let test: ReturnType<typeof confusionReport> | undefined;
let shippedTest: ReturnType<typeof confusionReport> | undefined;
let mxTest: ReturnType<typeof confusionReport> | undefined;
if (!args['no-test']) {
  // The test split, once, from the cached features through the same view, standardisation, head and flip
  // averaging the classifier applies (face-features.test.ts checks that path against the classifier's).
  const testX = tf.tensor2d(standardise(viewRows(testIdx, false)), [testIdx.length, dim]);
  const testXFlip = tf.tensor2d(standardise(viewRows(testIdx, true)), [testIdx.length, dim]);
  const testY = labelsOf(testIdx);
  const predicted = predictLabels(model, testX, testXFlip);
  tf.dispose([testX, testXFlip]);
  test = confusionReport(testY, predicted);
  shippedTest = confusionReport(testY, shippedOn(testIdx));
  const mxTestPredicted = mxOn(testIdx);
  mxTest = mxTestPredicted ? confusionReport(testY, mxTestPredicted) : undefined;
  console.log(`\nTEST (PublicTest, ${testIdx.length} faces), trained head:\n${formatReport(test)}`);
  console.log(
    `test accuracy ${test.accuracy.toFixed(3)} macro-F1 ${test.macroF1.toFixed(3)}; shipped layer: accuracy ${shippedTest.accuracy.toFixed(3)} macro-F1 ${shippedTest.macroF1.toFixed(3)}` +
      (mxTest
        ? `; mini-Xception as shipped: accuracy ${mxTest.accuracy.toFixed(3)} macro-F1 ${mxTest.macroF1.toFixed(3)}`
        : ''),
  );
}
const seconds = Math.round((Date.now() - startedAt) / 1000);
writeEmotionCard(args.out, {
  version: EMOTION_MODEL_VERSION,
  seed,
  split: { train: trainIdx.length, validation: valIdx.length, test: testIdx.length },
  counts,
  args: {
    epochs,
    keptEpoch: best.epoch,
    hidden,
    reduce,
    dropout,
    l2: Number(args.l2),
    lr: Number(args.lr),
    batchSize,
  },
  val,
  valNoTta,
  shippedVal: shippedValReport,
  mxVal: mxValReport,
  test,
  shippedTest,
  mxTest,
  sizeBytes:
    weightsBytes +
    statSync(join(args.out, 'model.json')).size +
    statSync(join(args.out, 'manifest.json')).size,
  weightsBytes,
  seconds,
  extraction: featureSets.map((f) => f.extraction),
  featuresSource: manifest.features.source,
  blocks: manifest.features.blocks,
  views: args.view,
  tta,
  dim,
});
log(`wrote ${args.out} (weights ${(weightsBytes / 1024).toFixed(1)} KB) in ${seconds} s`);
