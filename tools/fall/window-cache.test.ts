import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../edge/src/datasets/falls.ts';
import { WindowCache } from './window-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'fall-window-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const info: RecordingInfo = {
  file: 'umafall/x.csv.gz',
  source: 'UMAFall',
  subject: 'U01',
  activity: 'fall',
  description: '',
  label: 'fall',
  position: 'wrist',
  rateHz: 20,
  samples: 300,
};
const params = {
  trigger: { gateG: 1.6, mergeMs: 500, preSamples: 150, postSamples: 125 },
  layout: { rateHz: 50, preSamples: 150, postSamples: 125, binSamples: 10 },
  positionInput: false,
  hardNegatives: false,
  conditioning: { clipG: 4, lowPassHz: 8 },
};

describe('per-recording window cache', () => {
  it('gives back exactly what was written, for the same parameters only', () => {
    const cache = new WindowCache(dir, params);
    expect(cache.read(info)).toBeUndefined();
    const rec = {
      impactMs: 1234,
      labels: [1, 0, -1] as (1 | 0 | -1)[],
      peakTMs: [1234, 4000, 2000],
      features: [
        new Float32Array([1.5, -2, 0.1]),
        new Float32Array([0, 3.25, 7]),
        new Float32Array([9, 8, 7]),
      ],
    };
    cache.write(info, rec);
    expect(new WindowCache(dir, params).read(info)).toEqual(rec);
    // Another conditioning (or any other parameter) is another key: no stale windows.
    expect(new WindowCache(dir, { ...params, conditioning: { clipG: 4 } }).read(info)).toBeUndefined();
    expect(new WindowCache(dir, params).read({ ...info, samples: 301 })).toBeUndefined();
  });
});
