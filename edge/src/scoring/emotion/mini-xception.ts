import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf-backend.ts';
import { EMOTIONS } from './expressions.ts';

/**
 * The second frozen net (issue 13): oarriaga's mini-Xception from face_classification
 * (https://github.com/oarriaga/face_classification, trained on FER2013's Training part, checkpoints picked on
 * its last 20 %, i.e. PublicTest + PrivateTest), as converted to a TensorFlow.js graph model and shipped in the
 * npm package @vladmandic/human (MIT) in `models/emotion.json` + `emotion.bin` (820 KB). Loaded from the
 * package's folder on disk, never fetched, never trained here.
 *
 * It reads a 64×64 grey face in [-1, 1] (face-api's nets read a 112×112 RGB one), so its mistakes differ from
 * face-api's: a head that reads both nets' features is the bet of head 1.2.0.
 */

const require = createRequire(import.meta.url);

/**
 * The package's root: its `exports` hide package.json, so go up from the entry Node resolves (dist/…; only
 * resolved, never loaded). Resolved when first asked, so a gateway whose head does not read this net does
 * not need the package at all.
 */
const humanRoot = () => join(dirname(require.resolve('@vladmandic/human')), '..');
/** The package's `models/` folder (emotion.json + emotion.bin). */
export const miniXceptionDir = () => join(humanRoot(), 'models');
/** Names the net in cache keys and manifests, e.g. `human-3.3.6/mini-xception`. */
export function miniXceptionSource(): string {
  const pkg = JSON.parse(readFileSync(join(humanRoot(), 'package.json'), 'utf8')) as { version: string };
  return `human-${pkg.version}/mini-xception`;
}

/** The net's own class order (not ours: expressions.ts EMOTIONS). */
export const MINI_XCEPTION_ORDER = [
  'angry',
  'disgust',
  'fear',
  'happy',
  'sad',
  'surprise',
  'neutral',
] as const;
/** For each of EMOTIONS, its position in the net's order: `probs[MX_INDEX_OF[k]]` is EMOTIONS[k]'s. */
export const MX_INDEX_OF: readonly number[] = EMOTIONS.map((e) => MINI_XCEPTION_ORDER.indexOf(e));

/** The last feature map, [N, 8, 8, 256] (residual block 3's sum), before conv2d_5 (7 filters). */
const MAP_NODE = 'StatefulPartitionedCall/model_1/add_2/add';
/** conv2d_5's output averaged over positions: the 7 logits the softmax reads. */
const LOGITS_NODE = 'StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean';
const INPUT_PX = 64;
/** The map pooled 2×2 → 4×4 positions × 256 channels: every view (global, 2×2, 3×3) is exact from it. */
export const MX_MAP_SIZE = 4 * 4 * 256;
/** What miniXceptionFeatures returns per crop: the 4×4×256 map (row-major [y][x][channel]) then 7 logits. */
export const MX_SIZE = MX_MAP_SIZE + MINI_XCEPTION_ORDER.length;

interface GraphModelLike {
  execute(x: Tensor, outputs: string[]): Tensor | Tensor[];
  dispose(): void;
}

export interface MiniXception {
  readonly source: string;
  readonly model: GraphModelLike;
}

let loading: Promise<MiniXception> | undefined;
let loaded: MiniXception | undefined;

/** Loads the graph model from the package's folder (once per process). */
export function loadMiniXception(tf: Tf): Promise<MiniXception> {
  loading ??= (async () => {
    // The converter shares tfjs-core with the gateway (same package, same engine); only this module needs it.
    const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
    const dir = miniXceptionDir();
    const json = JSON.parse(readFileSync(join(dir, 'emotion.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: unknown[] }[];
      format?: string;
      generatedBy?: string;
      convertedBy?: string;
    };
    const bin = readFileSync(join(dir, 'emotion.bin'));
    const model = await loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((m) => m.weights) as never,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
        ...(json.format ? { format: json.format } : {}),
        ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
        ...(json.convertedBy ? { convertedBy: json.convertedBy } : {}),
      }),
    );
    loaded = { source: miniXceptionSource(), model: model as unknown as GraphModelLike };
    return loaded;
  })();
  return loading;
}

/** The net loadMiniXception loaded (for code inside a tidy), or an error naming what to call first. */
export function loadedMiniXception(): MiniXception {
  if (!loaded) throw new Error('mini-Xception not loaded (call loadMiniXception first)');
  return loaded;
}

/**
 * Crops [N, H, W, 3] (0-255, square: the FER crops and the analyser's boxes are) → the net's own input:
 * resized to 64×64, grey = 0.2989 R + 0.587 G + 0.114 B of the 0…1 image, then (grey − 0.5) × 2.
 */
export function miniXceptionInput(tf: Tf, crops: Tensor4D): Tensor4D {
  return tf.tidy(() => {
    const img = tf.image.resizeBilinear(tf.div(tf.cast(crops, 'float32'), 255) as Tensor4D, [
      INPUT_PX,
      INPUT_PX,
    ]);
    const grey = tf.sum(tf.mul(img, tf.tensor1d([0.2989, 0.587, 0.114])), 3, true);
    return tf.mul(tf.sub(grey, 0.5), 2) as Tensor4D;
  });
}

/** Crops → [N, MX_SIZE]: the last map pooled to 4×4×256, then the 7 logits. The caller disposes both. */
export function miniXceptionFeatures(tf: Tf, net: MiniXception, crops: Tensor4D): Tensor2D {
  return tf.tidy(() => {
    const n = crops.shape[0];
    const [map, logits] = net.model.execute(miniXceptionInput(tf, crops), [MAP_NODE, LOGITS_NODE]) as [
      Tensor4D,
      Tensor2D,
    ];
    const pooled = tf.reshape(tf.avgPool(map, 2, 2, 'valid'), [n, MX_MAP_SIZE]);
    return tf.concat([pooled, logits], 1) as Tensor2D;
  });
}

/** The net's own probabilities (its softmax), in its own class order MINI_XCEPTION_ORDER. */
export function miniXceptionProbabilities(tf: Tf, net: MiniXception, crops: Tensor4D): Tensor2D {
  return tf.tidy(() => net.model.execute(miniXceptionInput(tf, crops), ['Identity']) as Tensor2D);
}
