// Reading and writing the model folder (models/fall/): model.json + weights.bin in the tfjs layers
// format, and manifest.json with everything the scorer needs to turn samples into the model's input.
// Files only: the gateway never fetches weights over the network, and no tfjs-node file IO is needed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../tf-backend.ts';
import type { FeatureLayout } from './features.ts';
import type { TriggerParams } from './impact-trigger.ts';
import type { InputConditioning } from './input-conditioner.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** manifest.json: the preprocessing constants and decision threshold that belong to one set of weights. */
export interface FallModelManifest {
  name: string;
  version: string;
  /** Score at or above which a window is a fall; chosen on validation subjects (see README.md). */
  threshold: number;
  rateHz: number;
  trigger: TriggerParams;
  features: FeatureLayout & {
    names: string[];
    /** Standardisation: (x - mean) / std, per feature, fitted on the training subjects only. */
    mean: number[];
    std: number[];
    /** When true the last input is 1 for a wrist sensor, 0 for a waist one (the band is always wrist). */
    positionInput: boolean;
  };
  /**
   * Input conditioning before the gate (input-conditioner.ts): each axis clipped to ±clipG, then low-passed at
   * lowPassHz; absent = none.
   */
  input?: InputConditioning;
  /** Subjects by role: train (weights), validation (threshold, design), test (reported only). */
  split?: { seed: number; train: string[]; validation: string[]; test?: string[]; rule?: string };
  [extra: string]: unknown;
}

export class FallModelError extends Error {
  readonly code = 'EDGE_MODEL_INVALID';
}

export function readManifest(dir: string): FallModelManifest {
  let m: FallModelManifest;
  try {
    m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as FallModelManifest;
  } catch (err) {
    throw new FallModelError(`cannot read ${join(dir, MANIFEST_FILE)}`, { cause: err });
  }
  const f = m.features;
  const inputs = f?.names?.length + (f?.positionInput ? 1 : 0);
  if (
    typeof m.threshold !== 'number' ||
    !(m.threshold > 0 && m.threshold < 1) ||
    !m.trigger ||
    !f ||
    f.mean?.length !== inputs ||
    f.std?.length !== inputs ||
    (m.input?.clipG !== undefined && !(typeof m.input.clipG === 'number' && m.input.clipG >= 1)) ||
    (m.input?.lowPassHz !== undefined &&
      !(typeof m.input.lowPassHz === 'number' && m.input.lowPassHz > 0 && m.input.lowPassHz < m.rateHz / 2))
  )
    throw new FallModelError(`${join(dir, MANIFEST_FILE)}: threshold, trigger or feature constants invalid`);
  return m;
}

/** Loads the layers model from model.json + weights.bin with the tfjs instance given. */
export async function readLayersModel(tf: Tf, dir: string): Promise<LayersModel> {
  try {
    const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
    };
    const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
    const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
    const all = Buffer.concat(buffers);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    return await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
    );
  } catch (err) {
    throw new FallModelError(`cannot load the model in ${dir}`, { cause: err });
  }
}

/** Saves a layers model as model.json + weights.bin in `dir`. */
export async function writeLayersModel(tf: Tf, model: LayersModel, dir: string): Promise<number> {
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weights = Buffer.from(
        data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data ?? []),
      );
      bytes = weights.byteLength;
      writeFileSync(join(dir, WEIGHTS_FILE), weights);
      const json = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, MODEL_FILE), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return bytes;
}
