import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initTf, type TfBackendName, type TfRuntime } from '../tf-backend.ts';

const require = createRequire(import.meta.url);

/** The pre-trained weights shipped inside the @vladmandic/face-api npm package: read from disk, never fetched. */
export const FACE_API_MODEL_DIR = join(
  dirname(require.resolve('@vladmandic/face-api/package.json')),
  'model',
);

// The package's node-wasm build: it requires the same @tensorflow/tfjs the gateway loads (one engine, one
// set of kernels; checked in face-analyser.test.ts) and needs no native module or canvas.
type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');

export interface FaceApiRuntime extends TfRuntime {
  faceapi: FaceApi;
}

let loaded: Promise<FaceApiRuntime> | undefined;

/**
 * Loads face-api and its tiny face detector (193 KB) and expression net (329 KB) from the package's
 * `model/` folder on the best backend (tfjs-node if present, else wasm, else cpu). Once per process.
 */
export function loadFaceApi(
  backends?: readonly TfBackendName[],
  log: (msg: string) => void = () => {},
): Promise<FaceApiRuntime> {
  loaded ??= (async () => {
    const rt = await initTf(backends, log);
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    await faceapi.nets.tinyFaceDetector.loadFromDisk(FACE_API_MODEL_DIR);
    await faceapi.nets.faceExpressionNet.loadFromDisk(FACE_API_MODEL_DIR);
    log(
      `face-api ${faceapi.version}: tiny face detector and expression net loaded from ${FACE_API_MODEL_DIR}`,
    );
    return { ...rt, faceapi };
  })();
  return loaded;
}
