import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { PACKAGE_ROOT } from '../../../../contracts/src/package-root.ts';
import { readLayersModel } from '../fall-model/model-files.ts';
import { EMOTIONS, type Expression, FACE_API_ORDER, toExpression } from './expressions.ts';
import type { FaceApiRuntime } from './face-api.loader.ts';

/** The trained head's folder (models/emotion): model.json + weights.bin + manifest.json. From PACKAGE_ROOT, so it
 * resolves from the compiled dist/ too. */
export const EMOTION_MODEL_DIR = join(PACKAGE_ROOT, 'models', 'emotion');

export interface EmotionManifest {
  name: string;
  version: string;
  /** The frozen network the head reads: face-api's expression net feature extractor, 256 features. */
  features: { source: string; size: number; mean: number[]; std: number[] };
  classes: string[];
}

/**
 * Face crops → expression probabilities. The frozen part is face-api's expression feature extractor (dense
 * blocks on a 112×112 crop → 256 features). On top sits either the package's own 256 → 7 layer (`shipped`) or
 * our head trained on FER2013 (`trained`, models/emotion, `npm run train:emotion`).
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
  if (manifest.classes.join() !== EMOTIONS.join() || manifest.features.mean.length !== manifest.features.size)
    throw new Error(`${modelDir}/manifest.json: classes or feature constants do not match`);
  const head: LayersModel = await readLayersModel(tf, modelDir);
  const mean = tf.tensor1d(manifest.features.mean);
  const std = tf.tensor1d(manifest.features.std);
  return {
    kind,
    version: manifest.version,
    features,
    async classify(crops) {
      const f = await features(crops);
      const p = tf.tidy(() => head.predict(tf.div(tf.sub(f, mean), std)) as Tensor2D);
      f.dispose();
      const rows = (await p.array()) as number[][];
      p.dispose();
      return rows.map((r) => toExpression(r));
    },
    dispose() {
      head.dispose();
      mean.dispose();
      std.dispose();
    },
  };
}
