import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FALLS_DIR } from '../../../tools/harness/processes.ts';
import { FALL_RECORDING } from '../../../tools/harness/recordings.ts';
import { withVersion } from '../../../tools/models/bundle-variants.ts';
import { findImpact, readRecording, resample } from '../datasets/falls.ts';
import { createFallModelScorer } from './fall-model/index.ts';
import { type AccelSample, BAND_RATE_HZ, type Detection } from './scorer.ts';
import { SwappableScorer } from './swappable.scorer.ts';

// A real recorded fall after 6 s of the wrist slowly turning (1 g, under the gate), at the band's rate.
const fall = resample(readRecording(join(FALLS_DIR, FALL_RECORDING)), BAND_RATE_HZ);
const rest: AccelSample[] = Array.from({ length: 6 * BAND_RATE_HZ }, (_, i) => {
  const a = Math.sin(i / 25);
  return { tMs: i * 20, x: a * 0.8, y: 0, z: Math.sqrt(1 - a * a * 0.64) };
});
const samples = [...rest, ...fall.map((s) => ({ ...s, tMs: s.tMs + rest.length * 20 }))];
const impactAt = samples.indexOf(samples.find((s) => s.tMs === findImpact(samples).tMs)!);
const v201 = withVersion(mkdtempSync(join(tmpdir(), 'anju-swap-')), '2.0.1');
const load = (modelDir?: string) =>
  createFallModelScorer({ log: () => {}, ...(modelDir ? { modelDir } : {}) });

function run(s: SwappableScorer, from: number, to: number, out: Detection[]) {
  for (let i = from; i < to; i++) {
    const d = s.push(samples[i]!);
    if (d) out.push(d);
  }
}

describe('SwappableScorer', () => {
  it('asked to swap while an impact window is open, lets the old model decide it, then swaps', async () => {
    const old = await load();
    const dispose = vi.spyOn(old, 'dispose');
    const s = new SwappableScorer(old);
    const found: Detection[] = [];
    run(s, 0, impactAt + 5, found);
    expect(s.pending()).toBe(true);
    let swapped = false;
    const swap = s.swap(await load(v201)).then((replaced) => {
      swapped = true;
      return replaced;
    });
    await Promise.resolve();
    expect(swapped).toBe(false);
    run(s, impactAt + 5, samples.length, found);
    expect(await swap).toEqual({ name: 'fall-model', version: '3.2.0' });
    expect(found.map((d) => d.score.model.version)).toEqual(['3.2.0']);
    expect(s.model.version).toBe('2.0.1');
    expect(dispose).toHaveBeenCalledOnce();
    s.dispose();
  });

  it('swapped in while idle just before an impact, the new model sees the whole window and detects it', async () => {
    const reference = new SwappableScorer(await load(v201));
    const expected: Detection[] = [];
    run(reference, 0, samples.length, expected);
    expect(expected).toHaveLength(1);

    const s = new SwappableScorer(await load());
    const found: Detection[] = [];
    const swapAt = impactAt - BAND_RATE_HZ; // 1 s before the impact: idle, 5 s of context already seen
    run(s, 0, swapAt, found);
    expect(s.pending()).toBe(false);
    await s.swap(await load(v201)); // at once
    run(s, swapAt, samples.length, found);
    expect(found).toEqual(expected);
    s.dispose();
    reference.dispose();
  });

  it('warms the new scorer with the recent samples, discarding its answers to them', async () => {
    const fake = (version: string) => {
      const seen: number[] = [];
      return {
        seen,
        scorer: {
          id: 'fake',
          model: { name: 'fake', version },
          push: (x: AccelSample): Detection | undefined => {
            seen.push(x.tMs);
            return {
              kind: 'fall',
              severity: 'critical',
              occurredAtMs: x.tMs,
              decidedAtMs: x.tMs,
              score: { value: 1, model: { name: 'fake', version } },
              evidence: {},
            };
          },
          reset: () => seen.push(-1),
        },
      };
    };
    const a = fake('1');
    const b = fake('2');
    const s = new SwappableScorer(a.scorer, 3);
    for (let t = 0; t < 5; t++) s.push({ tMs: t, x: 0, y: 0, z: 1 });
    await s.swap(b.scorer);
    expect(b.seen).toEqual([-1, 2, 3, 4]); // reset, then the last three samples; none of its answers surfaced
    expect(s.push({ tMs: 5, x: 0, y: 0, z: 1 })?.score.model.version).toBe('2');
  });
});
