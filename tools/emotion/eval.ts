// npm run eval:emotion -- --data DIR [--classifier trained|shipped] [--model DIR] [--part PublicTest] [--backend wasm|cpu]
// Classifies every face of a folder in the format of ../shared/datasets/faces (the crop is the face: no
// detector) and prints per-class recall, the confusion matrix and macro-F1, ending with
// `emotion-eval images=N accuracy=0.xxx macro_f1=0.xxx`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createExpressionClassifier,
  EMOTION_MODEL_DIR,
} from '../../edge/src/scoring/emotion/expression-classifier.ts';
import { EMOTIONS, topEmotion } from '../../edge/src/scoring/emotion/expressions.ts';
import { loadFaceApi } from '../../edge/src/scoring/emotion/face-api.loader.ts';
import type { TfBackendName } from '../../edge/src/scoring/tf-backend.ts';
import { parseToolArgs } from '../cli-args.ts';
import { FACES_DIR, listFaces, readCrop } from './dataset.ts';
import { confusionReport, formatReport } from './metrics.ts';

const values = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FACES_DIR },
    // The trained head when models/emotion has one, else face-api's own layer.
    classifier: {
      type: 'string',
      default: existsSync(join(EMOTION_MODEL_DIR, 'manifest.json')) ? 'trained' : 'shipped',
    },
    /** A trained head's folder other than models/emotion (e.g. a candidate written by train:emotion --out). */
    model: { type: 'string' },
    part: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string' },
  },
});
const kind = values.classifier === 'shipped' ? 'shipped' : 'trained';
let files = listFaces(values.data);
if (values.part) files = files.filter((f) => f.part === values.part);
if (values.limit) {
  // A per-class cap for quick looks: the first N of each class in name order.
  const cap = Number(values.limit);
  const seen = new Map<string, number>();
  files = files.filter((f) => {
    const n = (seen.get(f.label) ?? 0) + 1;
    seen.set(f.label, n);
    return n <= cap;
  });
}
if (files.length === 0) {
  console.error(
    `no face images under ${values.data} (expected <class>/<file>.jpg for ${EMOTIONS.join(', ')})`,
  );
  process.exit(2);
}
const rt = await loadFaceApi([values.backend as TfBackendName, 'cpu']);
const classifier = await createExpressionClassifier(rt, kind, values.model ?? EMOTION_MODEL_DIR);
console.log(
  `classifier ${classifier.kind} ${classifier.version} on ${rt.backend}; ${files.length} faces from ${values.data}`,
);

const truth: number[] = [];
const predicted: number[] = [];
let unreadable = 0;
const batch = 64;
const t0 = performance.now();
for (let i = 0; i < files.length; i += batch) {
  const part = files.slice(i, i + batch);
  const crops = part.map((f) => ({ f, c: readCrop(f.path) })).filter((x) => x.c !== undefined);
  unreadable += part.length - crops.length;
  // One size per batch: FER crops are all 48×48; other folders are resized to the first crop's size.
  const { width, height } = crops[0]!.c!;
  const input = rt.tf.tidy(() =>
    rt.tf.stack(
      crops.map(({ c }) => {
        const t = rt.tf.tensor3d(c!.rgb, [c!.height, c!.width, 3], 'float32');
        return c!.width === width && c!.height === height
          ? t
          : rt.tf.image.resizeBilinear(t, [height, width]);
      }),
    ),
  );
  const out = await classifier.classify(input as never);
  input.dispose();
  out.forEach((e, j) => {
    truth.push(EMOTIONS.indexOf(crops[j]!.f.label));
    predicted.push(EMOTIONS.indexOf(topEmotion(e)));
  });
  if ((i / batch) % 20 === 0)
    process.stderr.write(`  ${Math.min(files.length, i + batch)}/${files.length}\r`);
}
const ms = performance.now() - t0;
const r = confusionReport(truth, predicted);
console.log(formatReport(r));
console.log(
  `\n${unreadable} unreadable; ${(ms / Math.max(1, truth.length)).toFixed(1)} ms per face (batches of ${batch})`,
);
console.log(`emotion-eval images=${r.n} accuracy=${r.accuracy.toFixed(3)} macro_f1=${r.macroF1.toFixed(3)}`);
