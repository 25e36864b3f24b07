import { describe, expect, it } from 'vitest';
import { initTf } from '../../edge/src/scoring/tf-backend.ts';
import { rng, shuffle } from './recordings.ts';
import { StackedTrainer } from './stacked-trainer.ts';

describe('members trained side by side (StackedTrainer)', () => {
  it('trains each member exactly as trainOnBatch would, with its own shuffles', async () => {
    const { tf } = await initTf(['cpu'], () => {});
    const member = (seed: number) => {
      const init = (l: number) => tf.initializers.glorotUniform({ seed: seed * 10 + l });
      const l2 = () => tf.regularizers.l2({ l2: 1e-4 });
      const m = tf.sequential({
        layers: [
          tf.layers.dense({
            inputShape: [5],
            units: 4,
            activation: 'relu',
            kernelInitializer: init(1),
            kernelRegularizer: l2(),
          }),
          tf.layers.dense({
            units: 3,
            activation: 'relu',
            kernelInitializer: init(2),
            kernelRegularizer: l2(),
          }),
          tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
        ],
      });
      m.compile({ optimizer: tf.train.adam(1e-2), loss: 'binaryCrossentropy' });
      return m;
    };
    const r = rng(1);
    const matrix = new Float32Array(200).map(() => r() * 2 - 1);
    const labels = Array.from({ length: 40 }, (_, i) => (matrix[i * 5]! > 0 ? 1 : 0));
    const index = labels.map((_, i) => i);
    // Two members in one stack, and a copy of each trained alone by trainOnBatch on the same batches.
    const stacked = [member(1), member(2)];
    const alone = [member(1), member(2)];
    const trainer = new StackedTrainer(tf, {
      members: stacked,
      nInputs: 5,
      matrix,
      labels,
      batchSize: 8,
      learningRate: 1e-2,
    });
    const stackRands = [rng(11), rng(12)];
    for (let e = 0; e < 4; e++) trainer.epoch(index, stackRands);
    trainer.writeBack();
    trainer.dispose();
    for (const [k, m] of alone.entries()) {
      const rand = rng(11 + k);
      for (let e = 0; e < 4; e++) {
        const order = shuffle([...index], rand);
        for (let b = 0; b < order.length; b += 8) {
          const idx = order.slice(b, b + 8);
          const x = tf.tensor2d(
            idx.flatMap((i) => Array.from(matrix.subarray(i * 5, i * 5 + 5))),
            [idx.length, 5],
          );
          const y = tf.tensor2d(
            idx.map((i) => labels[i]!),
            [idx.length, 1],
          );
          await m.trainOnBatch(x, y);
          x.dispose();
          y.dispose();
        }
      }
    }
    const x = tf.tensor2d(matrix, [40, 5]);
    const scores = (m: (typeof stacked)[number]) =>
      Array.from((m.predict(x) as { dataSync(): Float32Array }).dataSync());
    for (let k = 0; k < 2; k++) {
      const a = scores(stacked[k]!);
      const b = scores(alone[k]!);
      a.forEach((v, i) => {
        expect(v).toBeCloseTo(b[i]!, 5);
      });
    }
    // The two members did not collapse into one: different seeds, different outputs.
    expect(scores(stacked[0]!)[0]).not.toBeCloseTo(scores(stacked[1]!)[0]!, 3);
  });
});
