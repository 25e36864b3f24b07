// Picks the TensorFlow.js backend at run time: tfjs-node when it is installed (native, fastest), else the
// wasm backend, else the pure-JS cpu backend. tfjs-node is an optionalDependency that cannot install on
// machines without internet access to libtensorflow (shared/DEPENDENCIES.md), so its absence is normal.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tfCore from '@tensorflow/tfjs-core';
import * as tfLayers from '@tensorflow/tfjs-layers';

/**
 * TensorFlow.js as the gateway and the training tools use it: core (tensors, io, optimisers) and layers.
 * Not the `@tensorflow/tfjs` umbrella, which also loads and registers the WebGL backend, the graph-model
 * converter and tf.data — none of them used here, ~15 MB of the agent's RSS (bench:gateway). Backends are
 * loaded when chosen (useBackend), so a gateway on wasm never loads the cpu backend's kernels either.
 */
export const tf = { ...tfCore, ...tfLayers };
export type Tf = typeof tf;

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Order of preference when no backend is asked for. */
export const BACKEND_PREFERENCE: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface TfRuntime {
  tf: Tf;
  backend: TfBackendName;
}

const require = createRequire(import.meta.url);
let wasmRegistered = false;
let nodeTried: boolean | undefined;

/** Loads the native backend if the package is installed; false (not an error) when it is absent. */
async function tryTfjsNode(): Promise<boolean> {
  if (nodeTried !== undefined) return nodeTried;
  // A variable module name keeps tsc from resolving a package that is usually not installed.
  const name = '@tensorflow/tfjs-node';
  try {
    await import(name);
    nodeTried = true;
  } catch {
    nodeTried = false;
  }
  return nodeTried;
}

async function registerWasm(): Promise<void> {
  if (wasmRegistered) return;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries sit next to the package's main file (dist/tf-backend-wasm.node.js); loading them
  // from disk keeps the gateway off the network.
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  wasmRegistered = true;
}

/** Tries one backend; true when it is now the active one. */
export async function useBackend(name: TfBackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow' && !(await tryTfjsNode())) return false;
    if (name === 'wasm') await registerWasm();
    if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Makes the best available backend active (or the one asked for, falling back in order) and reports
 * which one it is, so callers can log it. Safe to call more than once.
 */
export async function initTf(
  preferred: readonly TfBackendName[] = BACKEND_PREFERENCE,
  log: (msg: string) => void = () => {},
): Promise<TfRuntime> {
  productionMode();
  for (const name of preferred) {
    if (tf.getBackend() === name) {
      log(`tfjs backend: ${name}`);
      return { tf, backend: name };
    }
    if (await useBackend(name)) {
      log(`tfjs backend: ${name}`);
      return { tf, backend: name };
    }
    log(`tfjs backend ${name} unavailable, falling back`);
  }
  throw new Error(`no TensorFlow.js backend available among ${preferred.join(', ')}`);
}

/** Which backends can be used here (for the benchmark). */
export async function availableBackends(): Promise<TfBackendName[]> {
  const out: TfBackendName[] = [];
  if (await tryTfjsNode()) out.push('tensorflow');
  out.push('wasm', 'cpu');
  return out;
}

// Production mode: no debug checks or console chatter from tfjs on the gateway.
function productionMode(): void {
  tf.env().set('PROD', true);
}
