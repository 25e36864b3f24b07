import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { availableBackends, initTf } from './tf-backend.ts';

const tfjsNodeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('TensorFlow.js backend selection', () => {
  it('falls back from tfjs-node to wasm when tfjs-node is not installed, and says so', async () => {
    const said: string[] = [];
    const { backend } = await initTf(['tensorflow', 'wasm', 'cpu'], (m) => said.push(m));
    expect(backend).toBe(tfjsNodeInstalled ? 'tensorflow' : 'wasm');
    expect(said.at(-1)).toBe(`tfjs backend: ${backend}`);
    if (!tfjsNodeInstalled) expect(said[0]).toMatch(/tensorflow unavailable/);
  });

  it('lists the pure-JS backends everywhere and tfjs-node only when installed', async () => {
    const list = await availableBackends();
    expect(list).toContain('wasm');
    expect(list).toContain('cpu');
    expect(list.includes('tensorflow')).toBe(tfjsNodeInstalled);
  });

  it('can be pinned to the cpu backend', async () => {
    expect((await initTf(['cpu'])).backend).toBe('cpu');
  });
});
