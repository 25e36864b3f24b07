import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { PACKAGE_ROOT } from '../../../../contracts/src/package-root.ts';
import { readLayersModel } from '../fall-model/model-files.ts';
import { EMOTIONS, type Expression, FACE_API_ORDER, toExpression } from './expressions.ts';
import type { FaceApiRuntime } from './face-api.loader.ts';
import {
  extractFeatures,
  type FeatureBlock,
  type FeatureView,
  featureView,
  loadFeatureNets,
  VIEW_SIZE,
} from './face-features.ts';
import { checkFusion, type EmotionFusion, fuseRow, fusionInput } from './fusion.ts';
import { MX_INDEX_OF } from './mini-xception.ts';

/** The trained head's folder (models/emotion): model.json + weights.bin + manifest.json. From PACKAGE_ROOT, so it
 * resolves from the compiled dist/ too. */
export const EMOTION_MODEL_DIR = join(PACKAGE_ROOT, 'models', 'emotion');

export interface EmotionManifest {
  name: string;
  version: string;
  /** The frozen features the head reads (face-features.ts): raw blocks, the view of them, standardisation. */
  features: {
    source: string;
    blocks: FeatureBlock[];
    views: FeatureView[];
    size: number;
    mean: number[];
    std: number[];
  };
  /** Average the head's answer for the crop and its mirror image. */
  tta: boolean;
  classes: string[];
  training?: Record<string, number>;
  /** The head's answer combined with the mini-Xception's (fusion.ts; `npm run fuse:emotion`). */
  fusion?: EmotionFusion;
}

/**
 * Face crops → expression probabilities. `shipped`: face-api's expression net as the package ships it (its
 * feature extractor → 256 features → its own 256 → 7 layer). `trained`: our head (models/emotion, `npm run
 * train:emotion`) on frozen features from inside face-api's nets (face-features.ts), optionally averaged with
 * its answer for the mirrored crop, and optionally fused with the mini-Xception's answer (manifest `fusion`).
 */
export interface ExpressionClassifier {
  readonly kind: 'shipped' | 'trained';
  readonly version: string;
  /** Features of a batch of crops, [N, H, W, 3] with values 0-255; the caller disposes the input. */
  features(crops: Tensor4D): Promise<Tensor2D>;
  /** Probabilities per crop. */
  classify(crops: Tensor4D): Promise<Expression[]>;
  dispose(): void;
}

export async function createExpressionClassifier(
  rt: FaceApiRuntime,
  kind: 'shipped' | 'trained' = 'trained',
  modelDir = EMOTION_MODEL_DIR,
): Promise<ExpressionClassifier> {
  const { tf, faceapi } = rt;
  const net = faceapi.nets.faceExpressionNet;
  const features = async (crops: Tensor4D): Promise<Tensor2D> => {
    // face-api takes a batch as a list of 3D tensors (it pads each to a square and resizes it to 112×112).
    const items = tf.unstack(crops);
    try {
      const input = await faceapi.toNetInput(items as never);
      return tf.tidy(() => {
        const out = net.faceFeatureExtractor.forwardInput(input) as unknown as Tensor4D;
        return tf.reshape(out, [out.shape[0], -1]) as Tensor2D;
      });
    } finally {
      tf.dispose(items);
    }
  };
  if (kind === 'shipped') {
    return {
      kind,
      version: `face-api-${faceapi.version}`,
      features,
      async classify(crops) {
        const f = await features(crops);
        const p = tf.tidy(() => tf.softmax(net.runNet(f as never) as unknown as Tensor2D));
        f.dispose();
        const rows = (await p.array()) as number[][];
        p.dispose();
        return rows.map((r) => toExpression(r, FACE_API_ORDER));
      },
      dispose() {},
    };
  }
  if (!existsSync(join(modelDir, 'manifest.json')))
    throw new Error(`no trained emotion head in ${modelDir} (run npm run train:emotion)`);
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as EmotionManifest;
  const f = manifest.features;
  if (
    manifest.classes.join() !== EMOTIONS.join() ||
    f.mean.length !== f.size ||
    f.views.reduce((a, v) => a + VIEW_SIZE[v], 0) !== f.size
  )
    throw new Error(`${modelDir}/manifest.json: classes or feature constants do not match`);
  const fusion = manifest.fusion ? checkFusion(manifest.fusion, `${modelDir}/manifest.json`) : undefined;
  // A fused head needs the mini-Xception's logits beside its own blocks: one extraction gives both.
  const rawBlocks: FeatureBlock[] = fusion && !f.blocks.includes('mx') ? [...f.blocks, 'mx'] : f.blocks;
  await loadFeatureNets(rt, rawBlocks);
  const head: LayersModel = await readLayersModel(tf, modelDir);
  const mean = tf.tensor1d(f.mean);
  const std = tf.tensor1d(f.std);
  const mxToEmotions = tf.tensor1d([...MX_INDEX_OF], 'int32');
  /** Each net's probabilities per crop (EMOTIONS order): the head's, then the mini-Xception's when fused. */
  const answersOf = async (crops: Tensor4D): Promise<Tensor2D[]> => {
    const raw = await extractFeatures(rt, crops, rawBlocks);
    const out = tf.tidy(() => [
      head.predict(tf.div(tf.sub(featureView(rt, raw, f.views, rawBlocks), mean), std)) as Tensor2D,
      ...(fusion
        ? [tf.gather(tf.softmax(featureView(rt, raw, ['mxLogits'], rawBlocks)), mxToEmotions, 1) as Tensor2D]
        : []),
    ]);
    raw.dispose();
    return out;
  };
  return {
    kind,
    version: manifest.version,
    features,
    async classify(crops) {
      // The crops and their mirrors go through the frozen nets as ONE batch of 2N: a second pass costs a
      // second round of per-call overhead (a few ms a face on wasm) for the same arithmetic.
      const n = crops.shape[0];
      const input = manifest.tta
        ? tf.tidy(() => tf.concat([crops, tf.reverse(crops, 2)], 0) as Tensor4D)
        : crops;
      const answers = await answersOf(input);
      if (input !== crops) input.dispose();
      const averaged = manifest.tta
        ? tf.tidy(() =>
            answers.map(
              (both) =>
                tf.div(
                  tf.add(tf.slice(both, [0, 0], [n, -1]), tf.slice(both, [n, 0], [n, -1])),
                  2,
                ) as Tensor2D,
            ),
          )
        : answers;
      const [headRows, mxRows] = (await Promise.all(averaged.map((t) => t.array()))) as number[][][];
      tf.dispose([...answers, ...averaged]);
      return headRows!.map((r, i) => toExpression(fusion ? fuseRow(fusionInput(r, mxRows![i]!), fusion) : r));
    },
    dispose() {
      head.dispose();
      tf.dispose([mean, std, mxToEmotions]);
    },
  };
}
