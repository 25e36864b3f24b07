// Model bundles made from the shipped one for the model-update tests and demos. Honest about what they
// are: `withVersion` is the shipped model re-published under a new version string (same weights, same
// constants, same self-test — so it must pass and decide exactly as the shipped one does); `withGarbageWeights`
// keeps the files' shape but fills the weights with NaN bits, the way a broken export or a bad disk would.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FALL_MODEL_DIR, WEIGHTS_FILE } from '../../edge/src/scoring/fall-model/index.ts';

const BUNDLE_FILES = ['manifest.json', 'model.json', WEIGHTS_FILE, 'self-test.json'];

/** Copies the bundle files of `from` (default: the shipped fall model) into `to` with a new version. */
export function withVersion(to: string, version: string, from = DEFAULT_FALL_MODEL_DIR): string {
  for (const f of BUNDLE_FILES) cpSync(join(from, f), join(to, f));
  const manifest = JSON.parse(readFileSync(join(to, 'manifest.json'), 'utf8')) as { version: string };
  manifest.version = version;
  writeFileSync(join(to, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return to;
}

/** Same as withVersion, with the weights file cut in half: tfjs cannot load it. */
export function withTruncatedWeights(to: string, version: string): string {
  withVersion(to, version);
  const weights = readFileSync(join(to, WEIGHTS_FILE));
  writeFileSync(join(to, WEIGHTS_FILE), weights.subarray(0, weights.byteLength >> 1));
  return to;
}

/** Same as withVersion, with every weight byte 0xff (a float32 NaN): loads fine, scores nothing. */
export function withGarbageWeights(to: string, version: string): string {
  withVersion(to, version);
  const size = readFileSync(join(to, WEIGHTS_FILE)).byteLength;
  writeFileSync(join(to, WEIGHTS_FILE), Buffer.alloc(size, 0xff));
  return to;
}
