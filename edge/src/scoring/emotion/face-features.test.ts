import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACES_DIR, listFaces, readCrop } from '../../../../tools/emotion/dataset.ts';
import { writeLayersModel } from '../fall-model/model-files.ts';
import { createExpressionClassifier, type EmotionManifest } from './expression-classifier.ts';
import { EMOTIONS } from './expressions.ts';
import { type FaceApiRuntime, loadFaceApi } from './face-api.loader.ts';
import { extractFeatures, featureView, VIEW_SIZE } from './face-features.ts';

// Real FER2013 crops, read where they are (never copied into the repository); skipped on a machine without them.
const haveFaces = existsSync(FACES_DIR);

describe.skipIf(!haveFaces)('features from inside face-api’s nets', () => {
  let rt: FaceApiRuntime;
  let crops: Tensor4D;
  beforeAll(async () => {
    rt = await loadFaceApi(['wasm', 'cpu']);
    const files = listFaces(FACES_DIR)
      .filter((_, i) => i % 997 === 0)
      .slice(0, 8);
    crops = rt.tf.stack(
      files.map((f) => {
        const c = readCrop(f.path)!;
        return rt.tf.tensor3d(c.rgb, [c.height, c.width, 3], 'float32');
      }),
    ) as Tensor4D;
  });
  afterAll(() => crops?.dispose());

  it('the expression map, averaged, is exactly the 256 features face-api’s own layer reads', async () => {
    const shipped = await createExpressionClassifier(rt, 'shipped');
    const ref = await shipped.features(crops);
    const raw = await extractFeatures(rt, crops, ['expr']);
    expect(raw.shape).toEqual([8, VIEW_SIZE.exprMap]);
    const global = featureView(rt, raw, ['exprGlobal'], ['expr']);
    const diff = rt.tf.max(rt.tf.abs(rt.tf.sub(global, ref))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-3);
    expect(rt.tf.max(ref).dataSync()[0]).toBeGreaterThan(1); // real activations, not zeros
    const pooled = featureView(rt, raw, ['expr3x3', 'exprGlobal'], ['expr']);
    expect(pooled.shape).toEqual([8, VIEW_SIZE.expr3x3 + VIEW_SIZE.exprGlobal]);
    rt.tf.dispose([ref, raw, global, pooled]);
  });

  it('a trained head with flip averaging answers the same for a face and its mirror image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-emotion-head-'));
    try {
      const { tf } = rt;
      const size = VIEW_SIZE.expr3x3;
      const head = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [size],
            units: 7,
            activation: 'softmax',
            kernelInitializer: tf.initializers.randomNormal({ seed: 3, stddev: 0.05 }),
          }),
        ],
      });
      await writeLayersModel(tf, head, dir);
      const manifest: EmotionManifest = {
        name: 'emotion-head',
        version: 'test',
        features: {
          source: 'test',
          blocks: ['expr'],
          views: ['expr3x3'],
          size,
          mean: new Array(size).fill(0),
          std: new Array(size).fill(1),
        },
        tta: true,
        classes: [...EMOTIONS],
      };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const trained = await createExpressionClassifier(rt, 'trained', dir);
      const a = await trained.classify(crops);
      const mirrored = tf.reverse(crops, 2) as Tensor4D;
      const b = await trained.classify(mirrored);
      mirrored.dispose();
      for (const [i, e] of a.entries()) {
        expect(Object.values(e).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
        for (const k of EMOTIONS) expect(b[i]![k]).toBeCloseTo(e[k], 4);
      }
      // Without flip averaging the same head does tell a face from its mirror (the test above can fail).
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, tta: false }));
      const plain = await createExpressionClassifier(rt, 'trained', dir);
      const c = await plain.classify(crops);
      const m2 = tf.reverse(crops, 2) as Tensor4D;
      const d = await plain.classify(m2);
      m2.dispose();
      const gap = Math.max(...c.flatMap((e, i) => EMOTIONS.map((k) => Math.abs(e[k] - d[i]![k]))));
      expect(gap).toBeGreaterThan(1e-3);
      trained.dispose();
      plain.dispose();
      head.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a head on expression + landmark views loads both nets, and its one-batch flip averaging equals two passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-emotion-head-'));
    try {
      const { tf } = rt;
      const views = ['expr3x3', 'landmark'] as const;
      const size = VIEW_SIZE.expr3x3 + VIEW_SIZE.landmark;
      const head = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [size],
            units: 7,
            activation: 'softmax',
            kernelInitializer: tf.initializers.randomNormal({ seed: 5, stddev: 0.05 }),
          }),
        ],
      });
      await writeLayersModel(tf, head, dir);
      const manifest: EmotionManifest = {
        name: 'emotion-head',
        version: 'test',
        features: {
          source: 'test',
          blocks: ['expr', 'landmark'],
          views: [...views],
          size,
          mean: new Array(size).fill(0),
          std: new Array(size).fill(1),
        },
        tta: false,
        classes: [...EMOTIONS],
      };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const plain = await createExpressionClassifier(rt, 'trained', dir);
      expect(rt.faceapi.nets.faceLandmark68Net.isLoaded).toBe(true);
      const a = await plain.classify(crops);
      const mirrored = tf.reverse(crops, 2) as Tensor4D;
      const b = await plain.classify(mirrored);
      mirrored.dispose();
      // The same head with flip averaging: crops and mirrors in one batch of 16, then averaged.
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, tta: true }));
      const averaged = await createExpressionClassifier(rt, 'trained', dir);
      const before = tf.memory().numTensors;
      const c = await averaged.classify(crops);
      expect(tf.memory().numTensors).toBe(before); // nothing left behind
      expect(c).toHaveLength(8);
      for (const [i, e] of c.entries())
        for (const k of EMOTIONS) expect(e[k]).toBeCloseTo((a[i]![k] + b[i]![k]) / 2, 4);
      plain.dispose();
      averaged.dispose();
      head.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
