// Trains the ensemble's members side by side, as one stack of batched matrix products, instead of one
// `trainOnBatch` per member and batch. Each member keeps its own initial weights, its own shuffle of the windows
// and its own Adam moments (Adam is element-wise), and the summed loss has a separate gradient per member, so
// it is the same training as member-by-member — what changes is the cost: a tfjs-layers `trainOnBatch` of these
// tiny networks is almost all per-call overhead (~8 ms a batch on wasm), paid once per batch here for every
// member at once instead of once per member.
import type { Scalar, Tensor, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../../edge/src/scoring/tf-backend.ts';
import { shuffle } from './recordings.ts';

/** L2 factor of the hidden layers' kernels (the members' `kernelRegularizer`). */
const L2 = 1e-4;

export interface StackedTrainerInput {
  /** The members as built (3 dense layers each): their initial weights are read, their final ones written. */
  members: LayersModel[];
  nInputs: number;
  /** Standardised training windows, row-major (window × nInputs). */
  matrix: Float32Array;
  labels: readonly number[];
  batchSize: number;
  learningRate: number;
}

export class StackedTrainer {
  private readonly vars: Variable[];
  private readonly optimizer;
  private readonly m: number;

  constructor(
    private readonly tf: Tf,
    private readonly input: StackedTrainerInput,
  ) {
    this.m = input.members.length;
    // Per layer: kernels stacked to [M, in, out], biases to [M, 1, out].
    const perLayer = [0, 1, 2].flatMap((l) => {
      const ws = input.members.map((mm) => mm.layers[l]!.getWeights());
      return [
        tf.variable(tf.stack(ws.map((w) => w[0]!))),
        tf.variable(tf.stack(ws.map((w) => tf.expandDims(w[1]!, 0)))),
      ];
    });
    this.vars = perLayer;
    this.optimizer = tf.train.adam(input.learningRate);
  }

  /**
   * One epoch: every member sees every index of `index` once, in its own order drawn from its `rands[m]`.
   * Returns each member's mean loss (cross-entropy + L2) over the epoch's batches.
   */
  epoch(index: readonly number[], rands: readonly (() => number)[]): number[] {
    const { tf, input } = this;
    const { nInputs, matrix, labels, batchSize } = input;
    const orders = rands.map((r) => shuffle([...index], r));
    const lossSums = new Array<number>(this.m).fill(0);
    let batches = 0;
    for (let b = 0; b < index.length; b += batchSize) {
      const n = Math.min(batchSize, index.length - b);
      const xb = new Float32Array(this.m * n * nInputs);
      const yb = new Float32Array(this.m * n);
      orders.forEach((order, k) => {
        for (let r = 0; r < n; r++) {
          const i = order[b + r]!;
          xb.set(matrix.subarray(i * nInputs, (i + 1) * nInputs), (k * n + r) * nInputs);
          yb[k * n + r] = labels[i]!;
        }
      });
      const perMember = tf.tidy(() => {
        const x = tf.tensor3d(xb, [this.m, n, nInputs]);
        const y = tf.tensor3d(yb, [this.m, n, 1]);
        let losses: Tensor | undefined;
        this.optimizer.minimize(() => {
          // Kept past minimize's own tidy: the per-member values are read for the log.
          losses = tf.keep(this.memberLosses(x, y));
          return tf.sum(losses) as Scalar;
        }, false);
        return losses ?? tf.zeros([this.m]);
      });
      const values = perMember.dataSync();
      perMember.dispose();
      values.forEach((v, k) => {
        lossSums[k]! += v;
      });
      batches++;
    }
    return lossSums.map((s) => s / Math.max(1, batches));
  }

  /** Writes the trained weights back into the members' layers. */
  writeBack(): void {
    const { tf } = this;
    tf.tidy(() => {
      this.input.members.forEach((mm, k) => {
        for (let l = 0; l < 3; l++) {
          // Fresh tensors from the values: a reshaped view would share the stack's data id, which the wasm
          // backend's fused matMul then reads with the stack's rank.
          const kernel = this.vars[l * 2]!;
          const bias = this.vars[l * 2 + 1]!;
          const [, nIn, nOut] = kernel.shape as [number, number, number];
          mm.layers[l]!.setWeights([
            tf.tensor2d(tf.gather(kernel, [k]).dataSync(), [nIn, nOut]),
            tf.tensor1d(tf.gather(bias, [k]).dataSync()),
          ]);
        }
      });
    });
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
    this.optimizer.dispose();
  }

  /** Per member: mean binary cross-entropy of the batch (from the logits) + L2 of the hidden kernels. */
  private memberLosses(x: Tensor3D, y: Tensor3D): Tensor {
    const { tf } = this;
    const [w1, b1, w2, b2, w3, b3] = this.vars as [
      Variable,
      Variable,
      Variable,
      Variable,
      Variable,
      Variable,
    ];
    const h1 = tf.relu(tf.add(tf.matMul(x, w1 as unknown as Tensor3D), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1 as Tensor3D, w2 as unknown as Tensor3D), b2));
    const z = tf.add(tf.matMul(h2 as Tensor3D, w3 as unknown as Tensor3D), b3);
    // max(z, 0) - z·y + log(1 + e^-|z|): the cross-entropy of sigmoid(z), stable for any z.
    const ce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    const l2 = tf.add(tf.sum(tf.square(w1), [1, 2]), tf.sum(tf.square(w2), [1, 2]));
    return tf.add(tf.mean(ce, [1, 2]), tf.mul(l2, L2));
  }
}
