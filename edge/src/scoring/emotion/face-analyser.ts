import type { Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Frame } from '../../camera/frame.ts';
import type { ExpressionClassifier } from './expression-classifier.ts';
import type { Expression } from './expressions.ts';
import type { FaceApiRuntime } from './face-api.loader.ts';

export interface FaceReading {
  /** Detector confidence 0…1. */
  score: number;
  /** Face box in frame pixels (kept in memory for the caller; never sent). */
  box: { x: number; y: number; width: number; height: number };
  expression: Expression;
}

export interface FaceAnalyserOptions {
  /** Tiny face detector input size (multiple of 32): 320 is fast, 416 finds smaller faces. */
  inputSize: number;
  /** Detector score below which a box is not a face. */
  minScore: number;
  /** Faces smaller than this (pixels, shorter side) are too small to read an expression from. */
  minFacePx: number;
}

export const DEFAULT_ANALYSER: FaceAnalyserOptions = { inputSize: 320, minScore: 0.5, minFacePx: 40 };

/**
 * One frame → the faces in it and their expressions: face-api's tiny face detector on the whole frame, each
 * face cropped (with a margin, as FER2013's crops have) and classified in one batch. Everything stays in
 * memory and every tensor is released before returning: only the numbers leave.
 */
export function createFaceAnalyser(
  rt: FaceApiRuntime,
  classifier: ExpressionClassifier,
  o: FaceAnalyserOptions = DEFAULT_ANALYSER,
) {
  const { tf, faceapi } = rt;
  const detectorOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: o.inputSize,
    scoreThreshold: o.minScore,
  });
  /** The faces' boxes big enough to read an expression from (smaller ones are not classified at all). */
  const detectIn = async (image: Tensor3D, frame: Frame) => {
    const detections = await faceapi.detectAllFaces(image as never, detectorOptions);
    return detections
      .map((d) => ({ score: d.score, box: squareBox(d.box, frame.width, frame.height, 0.1) }))
      .filter((d) => Math.min(d.box.width, d.box.height) >= o.minFacePx);
  };
  return {
    /** The detector alone (the bench splits the cost with it). */
    async detect(frame: Frame) {
      const image = tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32') as Tensor3D;
      try {
        return await detectIn(image, frame);
      } finally {
        image.dispose();
      }
    },
    async analyse(frame: Frame): Promise<FaceReading[]> {
      const image = tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32') as Tensor3D;
      try {
        const boxes = await detectIn(image, frame);
        if (boxes.length === 0) return [];
        const crops = tf.tidy(() => {
          const img = tf.cast(tf.expandDims(image, 0), 'float32') as Tensor4D;
          return tf.image.cropAndResize(
            img,
            tf.tensor2d(
              boxes.map(({ box: b }) => [
                b.y / frame.height,
                b.x / frame.width,
                (b.y + b.height) / frame.height,
                (b.x + b.width) / frame.width,
              ]),
            ),
            tf.zeros([boxes.length], 'int32'),
            [112, 112],
          );
        });
        const expressions = await classifier.classify(crops);
        crops.dispose();
        return boxes.map((b, i) => ({ ...b, expression: expressions[i]! }));
      } finally {
        image.dispose();
      }
    },
  };
}

/** The detector's box grown by `margin` on each side and made square, clipped to the frame. */
function squareBox(
  b: { x: number; y: number; width: number; height: number },
  w: number,
  h: number,
  margin: number,
) {
  const side = Math.max(b.width, b.height) * (1 + 2 * margin);
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const x = Math.max(0, Math.round(cx - side / 2));
  const y = Math.max(0, Math.round(cy - side / 2));
  return { x, y, width: Math.min(w - x, Math.round(side)), height: Math.min(h - y, Math.round(side)) };
}
