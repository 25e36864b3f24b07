import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-core';
import { PACKAGE_ROOT } from '../../../../contracts/src/package-root.ts';
import type { AccelSample, Detection, Scorer, ScorerFactory, ScorerOptions } from '../scorer.ts';
import { initTf, type TfBackendName } from '../tf-backend.ts';
import { extractFeatures, featureCount, summaryEvidence } from './features.ts';
import { ImpactTrigger, type ImpactWindow } from './impact-trigger.ts';
import { InputConditioner } from './input-conditioner.ts';
import { createMergedRunner, mergeDenseEnsemble } from './merged-ensemble.ts';
import { FallModelError, type FallModelManifest, readLayersModel, readManifest } from './model-files.ts';

/** The shipped model: models/fall/ at the repository root. */
export const DEFAULT_FALL_MODEL_DIR = join(PACKAGE_ROOT, 'models', 'fall');

export interface FallModelScorer extends Scorer {
  readonly threshold: number;
  readonly manifest: FallModelManifest;
  readonly backend: TfBackendName;
  /** 'merged': the ensemble runs as one wide network (merged-ensemble.ts); 'layers': model.predict as saved. */
  readonly inference: 'merged' | 'layers';
  /** Fall probability of one window (interleaved x,y,z in g, peak at trigger.preSamples). */
  scoreWindow(xyz: Float32Array): number;
  /** Fall probability of one window's raw (not standardised) features, in `manifest.features.names` order. */
  scoreFeatureVector(features: ArrayLike<number>): number;
}

export interface FallModelScorerOptions extends ScorerOptions {
  /** Backends to try in order; default tfjs-node, wasm, cpu. */
  backends?: readonly TfBackendName[];
  /** Where to say which backend was picked (once, at load); default: one line on stderr. */
  log?: (msg: string) => void;
  /** Run the ensemble merged into one network when its graph allows (default true; false for benchmarks). */
  mergeEnsemble?: boolean;
}

const defaultLog = (msg: string) => console.error(`[fall-model] ${msg}`);

/**
 * Fall scorer backed by the trained model. A cheap magnitude gate (ImpactTrigger) finds candidate
 * impacts; once the window around each is complete (manifest.trigger: 3 s before the peak to 2.5 s after
 * it for model 2.x), it is turned into rotation-invariant features and scored by a small ensemble of dense
 * networks, run merged into one wider network (merged-ensemble.ts). A window scoring at or above the threshold is a fall detected at peak + postSamples (2.5 s for
 * model 2.x, before the confirm window); the gate's merge span counts from its opening sample, so a run of
 * larger peaks cannot push the decision past 3 s after the first sample over the gate.
 */
export async function createFallModelScorer(options: FallModelScorerOptions = {}): Promise<FallModelScorer> {
  const dir = options.modelDir ?? DEFAULT_FALL_MODEL_DIR;
  const manifest = readManifest(dir);
  const { tf, backend } = await initTf(options.backends, options.log ?? defaultLog);
  const model = await readLayersModel(tf, dir);
  const threshold = options.threshold ?? manifest.threshold;
  const f = manifest.features;
  const nFeatures = featureCount(f);
  const inputs = nFeatures + (f.positionInput ? 1 : 0);
  const raw = new Float32Array(nFeatures);
  const input = new Float32Array(inputs);
  const info = { name: manifest.name, version: manifest.version };
  const trigger = new ImpactTrigger(manifest.trigger);
  const conditioner = new InputConditioner(manifest.input ?? {}, manifest.rateHz);
  const merged = options.mergeEnsemble === false ? undefined : mergeDenseEnsemble(model);
  const runner = merged && createMergedRunner(tf, merged);
  const predict = runner
    ? runner.score
    : () => tf.tidy(() => (model.predict(tf.tensor2d(input, [1, inputs])) as Tensor).dataSync())[0] ?? 0;

  const scoreFeatures = (): number => {
    for (let i = 0; i < nFeatures; i++) input[i] = (raw[i]! - f.mean[i]!) / f.std[i]!;
    // The band is worn on the wrist: the position input (when the model has one) is always "wrist".
    if (f.positionInput) input[nFeatures] = (1 - f.mean[nFeatures]!) / f.std[nFeatures]!;
    return predict(input);
  };
  const scoreFeatureVector = (features: ArrayLike<number>): number => {
    if (features.length !== nFeatures)
      throw new FallModelError(`expected ${nFeatures} features, got ${features.length}`);
    for (let i = 0; i < nFeatures; i++) raw[i] = features[i]!;
    return scoreFeatures();
  };
  const scoreWindow = (xyz: Float32Array): number => {
    extractFeatures(xyz, f, raw);
    return scoreFeatures();
  };
  const detect = (w: ImpactWindow, value: number): Detection => {
    const ev = summaryEvidence(raw);
    return {
      kind: 'fall',
      severity: 'critical',
      occurredAtMs: w.peakTMs,
      decidedAtMs: w.readyTMs,
      score: { value: Math.round(value * 1000) / 1000, threshold, model: info },
      evidence: {
        peakG: ev.peakG,
        freeFallMinG: ev.freeFallMinG,
        impactSdG: ev.impactSdG,
        postImpactMeanG: ev.post2MeanG,
        postImpactSdG: ev.post2SdG,
        tiltDeg: Math.round(ev.tiltDeg),
        windowMs: Math.round(((f.preSamples + f.postSamples + 1) * 1000) / f.rateHz),
        backend,
      },
    };
  };

  return {
    id: 'fall-model',
    model: info,
    threshold,
    manifest,
    backend,
    inference: runner ? 'merged' : 'layers',
    scoreWindow,
    scoreFeatureVector,
    push(sample: AccelSample): Detection | undefined {
      let best: Detection | undefined;
      for (const w of trigger.push(conditioner.push(sample))) {
        const value = scoreWindow(w.xyz);
        if (value >= threshold && (!best || value > best.score.value)) best = detect(w, value);
      }
      return best;
    },
    reset() {
      trigger.reset();
      conditioner.reset();
    },
    pending: () => trigger.pending,
    dispose() {
      runner?.dispose();
      model.dispose();
    },
  };
}

export const createFallModelScorerFactory: ScorerFactory = (options) => createFallModelScorer(options);
