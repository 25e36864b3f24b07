import { describe, expect, it } from 'vitest';
import type { AccelSample } from '../scorer.ts';
import { ImpactTrigger } from './impact-trigger.ts';

const params = { gateG: 1.6, mergeMs: 1000, preSamples: 100, postSamples: 100 };
/** 50 Hz samples at rest (1 g on z) with spikes of the given size at the given sample numbers. */
function stream(length: number, spikes: Record<number, number>): AccelSample[] {
  return Array.from({ length }, (_, n) => ({ tMs: n * 20, x: 0, y: 0, z: spikes[n] ?? 1 }));
}

describe('ImpactTrigger', () => {
  it('hands out one window, centred on the peak, 2 s after a single impact', () => {
    const t = new ImpactTrigger(params);
    const out = stream(600, { 300: 3 }).flatMap((s, n) => t.push(s).map((w) => ({ n, w })));
    expect(out).toHaveLength(1);
    const { n, w } = out[0]!;
    expect(n).toBe(400);
    expect(w.peakTMs).toBe(6000);
    expect(w.readyTMs).toBe(8000);
    expect(w.xyz.length).toBe(201 * 3);
    expect(w.xyz[100 * 3 + 2]).toBe(3);
    expect(w.xyz[99 * 3 + 2]).toBe(1);
  });

  it('merges peaks less than a second apart into the larger one', () => {
    const t = new ImpactTrigger(params);
    const out = stream(600, { 300: 2, 320: 4, 330: 3 }).flatMap((s) => t.push(s));
    expect(out.map((w) => w.peakG)).toEqual([4]);
  });

  it('scores peaks more than a second apart separately', () => {
    const t = new ImpactTrigger(params);
    const out = stream(800, { 300: 2, 380: 3 }).flatMap((s) => t.push(s));
    expect(out.map((w) => w.peakTMs)).toEqual([6000, 7600]);
  });

  it('counts the merge span from the opening sample, so growing peaks cannot postpone the decision', () => {
    const t = new ImpactTrigger(params);
    // Ever larger peaks every 0.4 s: 2 g at 6.0 s, 3 g at 6.4 s, 4 g at 6.8 s, 5 g at 7.2 s, 6 g at 7.6 s.
    const out = stream(900, { 300: 2, 320: 3, 340: 4, 360: 5, 380: 6 }).flatMap((s, n) =>
      t.push(s).map((w) => ({ n, w })),
    );
    // The first candidate opened at 6.0 s takes the peaks up to 7.0 s (4 g at 6.8 s) and no later ones.
    expect(out[0]!.w.peakTMs).toBe(6800);
    expect(out[0]!.w.readyTMs - 6000).toBeLessThanOrEqual(params.mergeMs + params.postSamples * 20);
    expect(out.map((o) => o.w.peakG)).toEqual([4, 6]);
  });

  it('stays silent below the gate', () => {
    const t = new ImpactTrigger(params);
    expect(stream(600, { 300: 1.5 }).flatMap((s) => t.push(s))).toHaveLength(0);
  });

  it('pads the window with the oldest sample when the peak comes right after a reset', () => {
    const t = new ImpactTrigger(params);
    t.push({ tMs: 0, x: 0, y: 0, z: 5 });
    t.reset();
    const out = stream(200, { 10: 3 }).flatMap((s) => t.push(s));
    expect(out).toHaveLength(1);
    expect(out[0]!.xyz[2]).toBe(1);
  });
});
