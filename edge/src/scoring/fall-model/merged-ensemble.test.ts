import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, type Tf } from '../tf-backend.ts';
import { createMergedRunner, mergeDenseEnsemble } from './merged-ensemble.ts';

const INPUTS = 12;

/** K randomly initialised dense members on one input, averaged: the shape train.ts saves. */
function ensemble(tf: Tf, members: number): LayersModel {
  const input = tf.input({ shape: [INPUTS] });
  const outs = Array.from({ length: members }, (_, k) => {
    const init = (l: number) => tf.initializers.glorotUniform({ seed: 100 + k * 10 + l });
    const bias = (l: number) => tf.initializers.randomNormal({ seed: 200 + k * 10 + l, stddev: 0.3 });
    const layers = [
      tf.layers.dense({
        units: 8,
        activation: 'relu',
        kernelInitializer: init(1),
        biasInitializer: bias(1),
      }),
      tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: init(2), biasInitializer: bias(2) }),
      tf.layers.dense({
        units: 1,
        activation: 'sigmoid',
        kernelInitializer: init(3),
        biasInitializer: bias(3),
      }),
    ];
    return layers.reduce<SymbolicTensor>((x, l) => l.apply(x) as SymbolicTensor, input);
  });
  const output = members > 1 ? (tf.layers.average().apply(outs) as SymbolicTensor) : outs[0]!;
  return tf.model({ inputs: input, outputs: output });
}

describe('merged ensemble', () => {
  let tf: Tf;
  beforeAll(async () => {
    ({ tf } = await initTf(['cpu']));
  });

  it.each([1, 3, 5])('gives the same output as model.predict for %i member(s)', (members) => {
    const model = ensemble(tf, members);
    const merged = mergeDenseEnsemble(model);
    expect(merged?.members).toBe(members);
    expect(merged?.stages.map((s) => s.units)).toEqual([8 * members, 4 * members, members]);
    const runner = createMergedRunner(tf, merged!);
    for (let row = 0; row < 50; row++) {
      const x = Float32Array.from({ length: INPUTS }, (_, i) => Math.sin(row * 7 + i * 3) * 2);
      const expected = tf.tidy(() => (model.predict(tf.tensor2d(x, [1, INPUTS])) as Tensor).dataSync()[0]!);
      expect(runner.score(x)).toBeCloseTo(expected, 6);
    }
    runner.dispose();
    model.dispose();
  });

  it('declines a graph that is not dense layers averaged (the scorer then runs model.predict)', () => {
    const input = tf.input({ shape: [INPUTS] });
    const a = tf.layers.dense({ units: 1 }).apply(input) as SymbolicTensor;
    const b = tf.layers.dense({ units: 1 }).apply(input) as SymbolicTensor;
    const concat = tf.model({
      inputs: input,
      outputs: tf.layers.concatenate().apply([a, b]) as SymbolicTensor,
    });
    expect(mergeDenseEnsemble(concat)).toBeUndefined();
    const dropout = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [INPUTS], units: 4 }), tf.layers.dropout({ rate: 0.5 })],
    });
    expect(mergeDenseEnsemble(dropout)).toBeUndefined();
    const softmax = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [INPUTS], units: 1, activation: 'softmax' })],
    });
    expect(mergeDenseEnsemble(softmax)).toBeUndefined();
  });
});
