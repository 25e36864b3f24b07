// npm run train:emotion -- [--seed 13] [--epochs 60] [--hidden 256] [--val-fraction 0.15] [--out models/emotion] [--no-test]
//
// Improves on face-api's shipped expression net with a small dense head on its frozen feature extractor
// (256 features of a 112×112 crop). Full convolution training in pure JS is far too slow on 2 cores, so the
// frozen network's features are computed once (with a left-right mirror for augmentation) and cached under
// .data/cache/emotion; the head then trains in seconds. Split: Training_* files of ../shared/datasets/faces,
// stratified by class into train and validation (the epoch is chosen on validation); PublicTest_* files are
// the test split, classified once at the end and never used for a choice. Seeded; writes model.json,
// weights.bin, manifest.json and the model card README.md into --out.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createExpressionClassifier } from '../../edge/src/scoring/emotion/expression-classifier.ts';
import { EMOTIONS } from '../../edge/src/scoring/emotion/expressions.ts';
import { loadFaceApi } from '../../edge/src/scoring/emotion/face-api.loader.ts';
import { writeLayersModel } from '../../edge/src/scoring/fall-model/model-files.ts';
import { rng, shuffle } from '../fall/recordings.ts';
import { FACES_DIR, listFaces } from './dataset.ts';
import { featuresOf } from './feature-cache.ts';
import { confusionReport, formatReport } from './metrics.ts';
import { writeEmotionCard } from './model-card.ts';

export const EMOTION_MODEL_VERSION = '1.0.0';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: FACES_DIR },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../models/emotion') },
    seed: { type: 'string', default: '13' },
    epochs: { type: 'string', default: '60' },
    hidden: { type: 'string', default: '256' },
    dropout: { type: 'string', default: '0.4' },
    l2: { type: 'string', default: '0.0005' },
    lr: { type: 'string', default: '0.001' },
    'batch-size': { type: 'string', default: '128' },
    'val-fraction': { type: 'string', default: '0.15' },
    'no-test': { type: 'boolean', default: false },
    /** Caps per class (0 = all): the frozen net's features cost ~15 ms a face on an idle core. */
    'train-per-class': { type: 'string', default: '0' },
    'test-per-class': { type: 'string', default: '0' },
    'no-flip': { type: 'boolean', default: false },
  },
});
const seed = Number(args.seed);
const startedAt = Date.now();

const rt = await loadFaceApi(['wasm', 'cpu'], (m) => console.log(m));
const { tf } = rt;
const shipped = await createExpressionClassifier(rt, 'shipped');
const flip = !args['no-flip'];
// A stable per-class cap of each part, in name order after a seeded shuffle.
const capped = (all: ReturnType<typeof listFaces>) => {
  const caps: Record<string, number> = {
    Training: Number(args['train-per-class']),
    PublicTest: Number(args['test-per-class']),
  };
  const r = rng(seed + 100);
  const out: typeof all = [];
  for (const label of EMOTIONS)
    for (const part of ['Training', 'PublicTest']) {
      const pool = shuffle(
        all.filter((f) => f.label === label && f.part === part),
        r,
      );
      out.push(...(caps[part] ? pool.slice(0, caps[part]) : pool));
    }
  return out;
};
const files = capped(listFaces(args.data));
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

const feats = await featuresOf(
  tf,
  shipped,
  files,
  `face-api-${rt.faceapi.version}/faceExpressionNet.features`,
);
const dim = feats.dim;
log(`features ready: ${dim} per face`);

const rowsOf = (idx: number[], flip: boolean) => {
  const out = new Float32Array(idx.length * dim);
  const src = flip ? feats.xFlip : feats.x;
  idx.forEach((i, r) => {
    out.set(src.subarray(i * dim, (i + 1) * dim), r * dim);
  });
  return out;
};
// Standardisation from the training rows (both orientations).
const trainRows = flip ? [rowsOf(trainIdx, false), rowsOf(trainIdx, true)] : [rowsOf(trainIdx, false)];
const mean = new Array<number>(dim).fill(0);
const std = new Array<number>(dim).fill(0);
const nTrain = trainIdx.length * trainRows.length;
for (const rows of trainRows)
  for (let r = 0; r < trainIdx.length; r++)
    for (let j = 0; j < dim; j++) mean[j]! += rows[r * dim + j]! / nTrain;
for (const rows of trainRows)
  for (let r = 0; r < trainIdx.length; r++)
    for (let j = 0; j < dim; j++) std[j]! += (rows[r * dim + j]! - mean[j]!) ** 2 / nTrain;
for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]!) || 1;
const standardise = (rows: Float32Array) => {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = (rows[i]! - mean[i % dim]!) / std[i % dim]!;
  return out;
};

// Class weights (inverse square root of frequency): disgust is rare; plain weighting makes it shout.
const counts = EMOTIONS.map((_, k) => trainIdx.filter((i) => files[i]!.label === EMOTIONS[k]).length);
const maxCount = Math.max(...counts);
const classWeight = Object.fromEntries(counts.map((c, k) => [k, Math.sqrt(maxCount / c)]));

const hidden = Number(args.hidden);
const model = tf.sequential();
const l2 = tf.regularizers.l2({ l2: Number(args.l2) });
if (hidden > 0) {
  model.add(
    tf.layers.dense({
      inputShape: [dim],
      units: hidden,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      kernelRegularizer: l2,
    }),
  );
  model.add(tf.layers.dropout({ rate: Number(args.dropout), seed: seed + 1 }));
}
model.add(
  tf.layers.dense({
    ...(hidden > 0 ? {} : { inputShape: [dim] }),
    units: EMOTIONS.length,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
    kernelRegularizer: l2,
  }),
);
model.compile({
  optimizer: tf.train.adam(Number(args.lr)),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
});

const labelsOf = (idx: number[]) => idx.map((i) => EMOTIONS.indexOf(files[i]!.label));
const trainX = standardise(new Float32Array(trainRows.flatMap((r) => Array.from(r))));
const trainY = trainRows.flatMap(() => labelsOf(trainIdx));
const valX = tf.tensor2d(standardise(rowsOf(valIdx, false)), [valIdx.length, dim]);
const valY = labelsOf(valIdx);

type T2 = ReturnType<typeof tf.tensor2d>;
/** Arg-max per row of what `fn` computes, tensors disposed. */
const argmaxOf = (fn: () => T2): number[] => {
  const t = tf.tidy(() => tf.argMax(fn(), 1));
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
};
const predictLabels = (m: LayersModel, x: T2) => argmaxOf(() => m.predict(x) as T2);
const FACE_API = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'] as const;
const fromFaceApi = (p: number) => EMOTIONS.indexOf(FACE_API[p]!);

const epochs = Number(args.epochs);
const batchSize = Number(args['batch-size']);
let best = { epoch: 0, macroF1: -1, accuracy: 0, weights: [] as ReturnType<typeof tf.tensor>[] };
const order = trainY.map((_, i) => i);
for (let epoch = 1; epoch <= epochs; epoch++) {
  shuffle(order, rand);
  const xs = new Float32Array(order.length * dim);
  order.forEach((i, r) => {
    xs.set(trainX.subarray(i * dim, (i + 1) * dim), r * dim);
  });
  const x = tf.tensor2d(xs, [order.length, dim]);
  const y = tf.oneHot(
    tf.tensor1d(
      order.map((i) => trainY[i]!),
      'int32',
    ),
    EMOTIONS.length,
  );
  const h = await model.fit(x, y, { epochs: 1, batchSize, shuffle: false, classWeight, verbose: 0 });
  tf.dispose([x, y]);
  const r = confusionReport(valY, predictLabels(model, valX));
  if (r.macroF1 > best.macroF1) {
    tf.dispose(best.weights);
    best = {
      epoch,
      macroF1: r.macroF1,
      accuracy: r.accuracy,
      weights: model.getWeights().map((w) => w.clone()),
    };
  }
  if (epoch % 5 === 0 || epoch === 1)
    log(
      `epoch ${epoch}/${epochs}: loss ${(h.history.loss![0] as number).toFixed(3)}, validation accuracy ${r.accuracy.toFixed(3)} macro-F1 ${r.macroF1.toFixed(3)}`,
    );
}
model.setWeights(best.weights);
log(
  `kept epoch ${best.epoch} (validation accuracy ${best.accuracy.toFixed(3)}, macro-F1 ${best.macroF1.toFixed(3)})`,
);
const val = confusionReport(valY, predictLabels(model, valX));

// The shipped 256 → 7 layer on the same validation split, for the card.
const valRaw = tf.tensor2d(rowsOf(valIdx, false), [valIdx.length, dim]);
const shippedVal = argmaxOf(
  () => rt.faceapi.nets.faceExpressionNet.runNet(valRaw as never) as unknown as T2,
).map(fromFaceApi);
valRaw.dispose();
const shippedValReport = confusionReport(valY, shippedVal);

mkdirSync(args.out, { recursive: true });
const weightsBytes = await writeLayersModel(tf, model, args.out);
const manifest = {
  name: 'emotion-head',
  version: EMOTION_MODEL_VERSION,
  features: { source: `face-api-${rt.faceapi.version}/faceExpressionNet.features`, size: dim, mean, std },
  classes: [...EMOTIONS],
  training: {
    seed,
    epochs,
    keptEpoch: best.epoch,
    hidden,
    dropout: Number(args.dropout),
    l2: Number(args.l2),
  },
};
writeFileSync(join(args.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

let test: ReturnType<typeof confusionReport> | undefined;
let shippedTest: ReturnType<typeof confusionReport> | undefined;
if (!args['no-test']) {
  // The test split, once, through the same classify() the gateway and eval:emotion run.
  const trained = await createExpressionClassifier(rt, 'trained', args.out);
  const testX = tf.tensor2d(rowsOf(testIdx, false), [testIdx.length, dim]);
  const testY = labelsOf(testIdx);
  const mT = tf.tensor1d(mean);
  const sT = tf.tensor1d(std);
  test = confusionReport(
    testY,
    argmaxOf(() => model.predict(tf.div(tf.sub(testX, mT), sT)) as T2),
  );
  shippedTest = confusionReport(
    testY,
    argmaxOf(() => rt.faceapi.nets.faceExpressionNet.runNet(testX as never) as unknown as T2).map(
      fromFaceApi,
    ),
  );
  trained.dispose();
  console.log(`\nTEST (PublicTest, ${testIdx.length} faces), trained head:\n${formatReport(test)}`);
  console.log(
    `test accuracy ${test.accuracy.toFixed(3)} macro-F1 ${test.macroF1.toFixed(3)}; shipped layer: accuracy ${shippedTest.accuracy.toFixed(3)} macro-F1 ${shippedTest.macroF1.toFixed(3)}`,
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
    dropout: Number(args.dropout),
    l2: Number(args.l2),
    lr: Number(args.lr),
    batchSize,
  },
  val,
  shippedVal: shippedValReport,
  test,
  shippedTest,
  sizeBytes:
    weightsBytes +
    statSync(join(args.out, 'model.json')).size +
    statSync(join(args.out, 'manifest.json')).size,
  weightsBytes,
  seconds,
  featuresSource: manifest.features.source,
});
log(`wrote ${args.out} (weights ${(weightsBytes / 1024).toFixed(1)} KB) in ${seconds} s`);
