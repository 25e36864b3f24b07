import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleIndex } from '../../../contracts/src/index.ts';
import {
  createFallModelScorer,
  type FallModelScorer,
  MANIFEST_FILE,
  MODEL_FILE,
  readManifest,
  readSelfTest,
  runSelfTest,
  SELF_TEST_FILE,
} from '../scoring/fall-model/index.ts';
import type { Scorer } from '../scoring/scorer.ts';

/**
 * A model the cloud may replace: how to check a bundle's files, load it from a verified folder, and
 * self-test it. One per model name the gateway runs (registry below).
 */
export interface UpdatableModel<S extends Scorer = Scorer> {
  readonly name: string;
  /** Throws with a human message when the files are not a bundle of this model at this version. */
  checkBundle(dir: string, index: BundleIndex, version: string): void;
  load(dir: string): Promise<S>;
  /** Failures, one line each; empty when the candidate decides every shipped window as expected. */
  selfTest(candidate: S, dir: string): string[];
}

export const fallModelUpdates: UpdatableModel<FallModelScorer> = {
  name: 'fall-model',
  checkBundle(dir, index, version) {
    const names = new Set(index.files.map((f) => f.name));
    for (const required of [MANIFEST_FILE, MODEL_FILE, SELF_TEST_FILE])
      if (!names.has(required)) throw new Error(`${required} missing from the bundle`);
    const manifest = readManifest(dir);
    if (manifest.name !== 'fall-model' || manifest.version !== version)
      throw new Error(`manifest.json is ${manifest.name} ${manifest.version}, not fall-model ${version}`);
    // Weights may only come from files of the bundle (hashed), never from a path or URL in model.json.
    const model = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as {
      weightsManifest?: { paths?: unknown[] }[];
    };
    const paths = (model.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
    if (paths.length === 0) throw new Error('model.json names no weights');
    for (const p of paths)
      if (typeof p !== 'string' || !names.has(p) || !existsSync(join(dir, p)))
        throw new Error(`model.json names weights "${String(p)}" that are not a file of the bundle`);
  },
  load: (dir) => createFallModelScorer({ modelDir: dir, log: () => {} }),
  selfTest(candidate, dir) {
    const outcome = runSelfTest(readSelfTest(dir), candidate.threshold, (f) =>
      candidate.scoreFeatureVector(f),
    );
    return outcome.failures;
  },
};

/** Models that can be updated from the cloud, by the name the scorer reports. */
export const updatableModels: Readonly<Record<string, UpdatableModel>> = {
  'fall-model': fallModelUpdates as unknown as UpdatableModel,
};
