/**
 * Runs the fall model's ensemble as ONE wider network. The trainer saves K small dense networks side by side
 * on the same input, averaged by a tf.layers.average layer. Executed as written, tfjs-layers walks 3K dense
 * layers plus the average per window — a dozen-odd kernel dispatches and graph steps, ~0.8 ms of overhead for
 * ~25k multiply-adds. Merged, the K members become one network K times as wide — first-layer kernels side by
 * side (they share the input), deeper kernels block-diagonal (so the members stay independent) — run as one
 * fused matMul + bias + activation per depth: the same K outputs, averaged here, in a few kernel calls.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../tf-backend.ts';

type Activation = 'linear' | 'relu' | 'sigmoid';
const FUSABLE: readonly string[] = ['linear', 'relu', 'sigmoid'] satisfies Activation[];

/** One depth of the merged network: kernel [inputs × units] row-major, as tfjs stores it. */
export interface MergedStage {
  inputs: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

export interface MergedEnsemble {
  /** Networks merged; the model's output is the mean of the last stage's `members` units. */
  members: number;
  stages: MergedStage[];
}

interface DenseParams {
  inputs: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array;
  activation: string;
}

// Minimal view of tfjs-layers' graph bookkeeping (public fields, untyped in the package's exports).
interface GraphLayer {
  getClassName(): string;
  getConfig(): { activation?: unknown; useBias?: unknown };
  getWeights(): Tensor[];
  inboundNodes: { inboundLayers: GraphLayer[] }[];
}

/** The dense layers from the input to `last`, input side first; undefined when anything else is on the way. */
function denseChain(last: GraphLayer): DenseParams[] | undefined {
  const chain: DenseParams[] = [];
  let layer: GraphLayer | undefined = last;
  while (layer && layer.getClassName() !== 'InputLayer') {
    if (layer.getClassName() !== 'Dense') return undefined;
    const config = layer.getConfig();
    const [kernel, bias] = layer.getWeights();
    if (kernel?.shape.length !== 2) return undefined;
    const [inputs, units] = kernel.shape as [number, number];
    chain.unshift({
      inputs,
      units,
      kernel: kernel.dataSync() as Float32Array,
      bias: config.useBias !== false && bias ? (bias.dataSync() as Float32Array) : new Float32Array(units),
      activation: String(config.activation ?? 'linear'),
    });
    const from: GraphLayer[] = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (from.length > 1) return undefined;
    layer = from[0];
  }
  return chain.length ? chain : undefined;
}

/**
 * Merges a model that is one dense network, or the average of dense networks of the same depth and
 * activations on one input, into one wide network. Undefined for any other graph (the caller then runs
 * model.predict as it is).
 */
export function mergeDenseEnsemble(model: LayersModel): MergedEnsemble | undefined {
  const out = model.layers.at(-1) as unknown as GraphLayer | undefined;
  if (!out) return undefined;
  const heads = out.getClassName() === 'Average' ? (out.inboundNodes[0]?.inboundLayers ?? []) : [out];
  const chains = heads.map(denseChain);
  const first = chains[0];
  if (!first || chains.some((c) => !c || c.length !== first.length)) return undefined;
  const members = chains as DenseParams[][];
  const stages: MergedStage[] = [];
  for (let depth = 0; depth < first.length; depth++) {
    const parts = members.map((c) => c[depth]!);
    const activation = parts[0]!.activation;
    if (!FUSABLE.includes(activation) || parts.some((p) => p.activation !== activation)) return undefined;
    if (depth === 0 && parts.some((p) => p.inputs !== parts[0]!.inputs)) return undefined;
    // Depth 0 shares the model's input; deeper stages read their own member's slice of the previous stage.
    const inputs = depth === 0 ? parts[0]!.inputs : parts.reduce((a, p) => a + p.inputs, 0);
    const units = parts.reduce((a, p) => a + p.units, 0);
    const kernel = new Float32Array(inputs * units);
    const bias = new Float32Array(units);
    let row0 = 0;
    let col0 = 0;
    for (const p of parts) {
      for (let r = 0; r < p.inputs; r++)
        kernel.set(p.kernel.subarray(r * p.units, (r + 1) * p.units), (row0 + r) * units + col0);
      bias.set(p.bias, col0);
      if (depth > 0) row0 += p.inputs;
      col0 += p.units;
    }
    stages.push({ inputs, units, kernel, bias, activation: activation as Activation });
  }
  if (stages.at(-1)!.units !== members.length) return undefined; // each member must end in one output
  return { members: members.length, stages };
}

export interface MergedRunner {
  /** The ensemble's output (mean of the members) for one standardised input row. */
  score(input: Float32Array): number;
  dispose(): void;
}

/** Puts the merged weights on the active backend once; each score is one fused matMul per depth. */
export function createMergedRunner(tf: Tf, merged: MergedEnsemble): MergedRunner {
  const weights = merged.stages.map((s) => ({
    kernel: tf.tensor2d(s.kernel, [s.inputs, s.units]),
    bias: tf.tensor1d(s.bias),
    activation: s.activation,
  }));
  const inputs = merged.stages[0]!.inputs;
  return {
    score(input) {
      const out = tf.tidy(() => {
        let x: Tensor = tf.tensor2d(input, [1, inputs]);
        for (const w of weights)
          x = tf.fused.matMul({ a: x as Tensor2D, b: w.kernel, bias: w.bias, activation: w.activation });
        return x.dataSync();
      });
      let sum = 0;
      for (let i = 0; i < merged.members; i++) sum += out[i]!;
      return sum / merged.members;
    },
    dispose() {
      for (const w of weights) {
        w.kernel.dispose();
        w.bias.dispose();
      }
    },
  };
}
