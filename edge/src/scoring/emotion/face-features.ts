import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { FaceApiRuntime } from './face-api.loader.ts';
import { FACE_API_MODEL_DIR } from './face-api.loader.ts';
import { loadedMiniXception, loadMiniXception, MX_SIZE, miniXceptionFeatures } from './mini-xception.ts';

/**
 * Frozen features of face crops taken from inside face-api's shipped nets, richer than the 256 numbers the
 * expression net's own last layer reads:
 * - `expr`: the expression net's last dense block before its global pooling, a 7×7×256 spatial map (where on
 *   the face something happens: brows, mouth), flattened row-major [y][x][channel];
 * - `landmark`: the 68-landmark net's map (same architecture, trained on face geometry), pooled to 3×3×256;
 * - `ageGender`: the age/gender net's TinyXception features, pooled to 256+ channels globally;
 * - `mx`: not face-api's: the mini-Xception of @vladmandic/human (mini-xception.ts), its last 8×8×256 map
 *   pooled to 4×4×256, then its 7 logits.
 * All from the packages' folders on disk; the nets are never trained here.
 */
export type FeatureBlock = 'expr' | 'landmark' | 'ageGender' | 'mx';
/** The order of blocks in a raw feature row (extractFeatures keeps the caller's order; blocksFor this one). */
const BLOCK_ORDER: readonly FeatureBlock[] = ['expr', 'landmark', 'ageGender', 'mx'];
/** The blocks computed by face-api's nets (the rest by mini-xception.ts). */
export const isFaceApiBlock = (b: FeatureBlock) => b !== 'mx';

interface Conv {
  filters: Tensor4D;
  bias: Tensor;
}
interface SepConv {
  depthwise_filter: Tensor4D;
  pointwise_filter: Tensor4D;
  bias: Tensor;
}
interface DenseBlock {
  conv0: Conv | SepConv;
  conv1: SepConv;
  conv2: SepConv;
  conv3: SepConv;
}
interface DenseParams {
  dense0: DenseBlock;
  dense1: DenseBlock;
  dense2: DenseBlock;
  dense3: DenseBlock;
}

const MEAN_RGB = [122.782, 117.001, 104.298];

/** Loads the extra nets a block list needs (the expression net is loaded by loadFaceApi). */
export async function loadFeatureNets(rt: FaceApiRuntime, blocks: readonly FeatureBlock[]): Promise<void> {
  const { nets } = rt.faceapi;
  if (blocks.includes('landmark') && !nets.faceLandmark68Net.isLoaded)
    await nets.faceLandmark68Net.loadFromDisk(FACE_API_MODEL_DIR);
  if (blocks.includes('ageGender') && !nets.ageGenderNet.isLoaded)
    await nets.ageGenderNet.loadFromDisk(FACE_API_MODEL_DIR);
  if (blocks.includes('mx')) await loadMiniXception(rt.tf);
}

/** Sizes of each block's features, as the extractor returns them. */
export const BLOCK_SIZE: Record<FeatureBlock, number> = {
  expr: 7 * 7 * 256,
  landmark: 3 * 3 * 256,
  ageGender: 512,
  mx: MX_SIZE,
};

/**
 * Crops [N, H, W, 3] (0-255) → [N, Σ sizes] in the order of `blocks`. The crop is padded to a square and resized
 * to 112×112 exactly as face-api does for its own nets (the mini-Xception resizes the crop to 64×64 grey
 * itself). The caller disposes the input and the output.
 */
export async function extractFeatures(
  rt: FaceApiRuntime,
  crops: Tensor4D,
  blocks: readonly FeatureBlock[],
): Promise<Tensor2D> {
  const { tf, faceapi } = rt;
  if (!blocks.some(isFaceApiBlock)) return miniXceptionFeatures(tf, loadedMiniXception(), crops);
  const items = tf.unstack(crops);
  try {
    const input = await faceapi.toNetInput(items as never);
    return tf.tidy(() => {
      const batch = tf.cast(input.toBatchTensor(112, true) as unknown as Tensor4D, 'float32');
      const n = batch.shape[0];
      const normalised = tf.div(tf.sub(batch, tf.tensor1d(MEAN_RGB)), 255) as Tensor4D;
      const parts: Tensor2D[] = [];
      for (const block of blocks) {
        if (block === 'expr') {
          const map = denseStack(rt, normalised, faceapi.nets.faceExpressionNet.faceFeatureExtractor.params);
          parts.push(tf.reshape(map, [n, -1]) as Tensor2D);
        } else if (block === 'mx') {
          parts.push(miniXceptionFeatures(tf, loadedMiniXception(), crops));
        } else if (block === 'landmark') {
          const map = denseStack(rt, normalised, faceapi.nets.faceLandmark68Net.faceFeatureExtractor.params);
          parts.push(tf.reshape(tf.avgPool(map, 3, 2, 'valid'), [n, -1]) as Tensor2D);
        } else {
          // TinyXception normalises its own input: hand it the NetInput's batch through forwardInput.
          const map = faceapi.nets.ageGenderNet.faceFeatureExtractor.forwardInput(
            input as never,
          ) as unknown as Tensor4D;
          parts.push(tf.reshape(tf.mean(map, [1, 2]), [n, -1]) as Tensor2D);
        }
      }
      return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as Tensor2D;
    });
  } finally {
    tf.dispose(items);
  }
}

/** face-api's FaceFeatureExtractor (four dense blocks of depthwise-separable convolutions) without its pooling. */
function denseStack(rt: FaceApiRuntime, x: Tensor4D, params: unknown): Tensor4D {
  const p = params as DenseParams | undefined;
  if (!p) throw new Error('face-api net not loaded');
  // Each block in its own tidy: only its output outlives it. The wasm heap keeps its high-water mark for the
  // life of the process, and a batch of faces and their mirrors would otherwise hold every intermediate map.
  const { tf } = rt;
  let out = tf.tidy(() => denseBlock(rt, x, p.dense0, true));
  for (const b of [p.dense1, p.dense2, p.dense3]) {
    const prev = out;
    out = tf.tidy(() => denseBlock(rt, prev, b, false));
    prev.dispose();
  }
  return out;
}

function denseBlock(rt: FaceApiRuntime, x: Tensor4D, b: DenseBlock, first: boolean): Tensor4D {
  const { tf } = rt;
  const sep = (t: Tensor4D, c: SepConv, stride: 1 | 2) =>
    tf.add(tf.separableConv2d(t, c.depthwise_filter, c.pointwise_filter, stride, 'same'), c.bias) as Tensor4D;
  const c0 = first
    ? (tf.relu(
        tf.add(tf.conv2d(x, (b.conv0 as Conv).filters, 2, 'same'), (b.conv0 as Conv).bias),
      ) as Tensor4D)
    : (tf.relu(sep(x, b.conv0 as SepConv, 2)) as Tensor4D);
  const c1 = sep(c0, b.conv1, 1);
  const a1 = tf.relu(tf.add(c0, c1)) as Tensor4D;
  const c2 = sep(a1, b.conv2, 1);
  const a2 = tf.relu(tf.add(c0, tf.add(c1, c2))) as Tensor4D;
  const c3 = sep(a2, b.conv3, 1);
  return tf.relu(tf.add(c0, tf.add(c1, tf.add(c2, c3)))) as Tensor4D;
}

/**
 * What a head reads, computed from the raw blocks (as extractFeatures returns them for a block list):
 * - `exprGlobal`: the expression map averaged over its 7×7 positions (= the 256 features face-api's layer reads);
 * - `expr3x3`: the expression map pooled to 3×3 positions (where on the face: brows, eyes, mouth);
 * - `exprMap`: the whole 7×7×256 map;
 * - `landmark`: the landmark net's 3×3×256; `landmarkGlobal`: its average, 256;
 * - `mxGlobal`: the mini-Xception's last map averaged over its positions (256); `mx2x2`, `mx3x3`: pooled to
 *   2×2 and 3×3 positions (4×4 px windows, stride 4 and 2 on the 8×8 map); `mxLogits`: its 7 logits (its
 *   own answer before the softmax, in its class order).
 */
export type FeatureView =
  | 'exprGlobal'
  | 'expr3x3'
  | 'exprMap'
  | 'landmark'
  | 'landmarkGlobal'
  | 'mxGlobal'
  | 'mx2x2'
  | 'mx3x3'
  | 'mxLogits';
export const VIEW_SIZE: Record<FeatureView, number> = {
  exprGlobal: 256,
  expr3x3: 2304,
  exprMap: 12544,
  landmark: 2304,
  landmarkGlobal: 256,
  mxGlobal: 256,
  mx2x2: 1024,
  mx3x3: 2304,
  mxLogits: 7,
};

/** [N, raw] → [N, Σ view sizes], raw being `blocks` side by side; the caller disposes both. */
export function featureView(
  rt: Pick<FaceApiRuntime, 'tf'>,
  raw: Tensor2D,
  views: readonly FeatureView[],
  blocks: readonly FeatureBlock[],
): Tensor2D {
  const { tf } = rt;
  const offset = (b: FeatureBlock) => {
    const i = blocks.indexOf(b);
    if (i < 0) throw new Error(`feature view needs block ${b}, raw has ${blocks.join('+')}`);
    return blocks.slice(0, i).reduce((a, x) => a + BLOCK_SIZE[x], 0);
  };
  return tf.tidy(() => {
    const n = raw.shape[0];
    const block = (b: FeatureBlock) => tf.slice(raw, [0, offset(b)], [n, BLOCK_SIZE[b]]) as Tensor2D;
    const expr = () => tf.reshape(block('expr'), [n, 7, 7, 256]) as Tensor4D;
    const lm = () => block('landmark');
    const mxMap = () =>
      tf.reshape(tf.slice(raw, [0, offset('mx')], [n, MX_SIZE - 7]), [n, 4, 4, 256]) as Tensor4D;
    const parts = views.map((v): Tensor2D => {
      switch (v) {
        case 'exprGlobal':
          return tf.mean(expr(), [1, 2]) as Tensor2D;
        case 'expr3x3':
          return tf.reshape(tf.avgPool(expr(), 3, 2, 'valid'), [n, -1]) as Tensor2D;
        case 'exprMap':
          return tf.reshape(expr(), [n, -1]) as Tensor2D;
        case 'landmark':
          return lm();
        case 'landmarkGlobal':
          return tf.mean(tf.reshape(lm(), [n, 9, 256]), 1) as Tensor2D;
        case 'mxGlobal':
          return tf.mean(mxMap(), [1, 2]) as Tensor2D;
        case 'mx2x2':
          return tf.reshape(tf.avgPool(mxMap(), 2, 2, 'valid'), [n, -1]) as Tensor2D;
        case 'mx3x3':
          return tf.reshape(tf.avgPool(mxMap(), 2, 1, 'valid'), [n, -1]) as Tensor2D;
        default: // mxLogits
          return tf.slice(raw, [0, offset('mx') + MX_SIZE - 7], [n, 7]) as Tensor2D;
      }
    });
    return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as Tensor2D;
  });
}

/** The raw blocks a list of views needs, in BLOCK_ORDER (each net costs ~10-15 ms a face: run it only if read). */
export function blocksFor(views: readonly FeatureView[]): FeatureBlock[] {
  const prefix: Record<FeatureBlock, string> = {
    expr: 'expr',
    landmark: 'landmark',
    ageGender: '-',
    mx: 'mx',
  };
  return BLOCK_ORDER.filter((b) => views.some((v) => v.startsWith(prefix[b])));
}
