import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ablations } from './ablate.ts';
import { listHomes, readHome } from './dataset.reader.ts';
import { EVAL_DEFAULTS, evaluateHome, type Summary } from './evaluate.ts';
import { leaveOneHomeOut, objective } from './loho.ts';

const DATA = resolve(import.meta.dirname, '../../../shared/datasets/home');
const have = existsSync(DATA) && listHomes(DATA).length >= 2;

const summary = (faPer30: number, detectedRate: number, median: number, p90: number): Summary => ({
  homes: 2,
  days: 30,
  falseAlarms: 0,
  faPer30,
  faAway: 0,
  faPer30ByCause: { out: 0, asleep: 0, warmup: 0, other: faPer30 },
  injected: 100,
  detected: detectedRate * 100,
  detectedRate,
  medianDelayMin: median,
  p90DelayMin: p90,
});

describe('leave-one-home-out', () => {
  it('prefers any candidate that meets the false-alarm and detection targets, then the faster one', () => {
    const fast = objective(summary(3, 1, 40, 100));
    const slowOk = objective(summary(0.5, 0.97, 150, 600));
    const quickOk = objective(summary(0.9, 0.96, 70, 200));
    expect(slowOk).toBeLessThan(fast);
    expect(quickOk).toBeLessThan(slowOk);
    expect(objective(summary(0.5, 0.9, 30, 60))).toBeGreaterThan(slowOk);
    // The p90 decides; an equal p90 with a better median wins.
    expect(objective(summary(0.5, 1, 100, 600))).toBeLessThan(objective(summary(0.5, 1, 120, 600)));
  });

  it.skipIf(!have)('scores each home with parameters chosen on the others only', () => {
    const logs = listHomes(DATA).map((h) => readHome(DATA, h));
    const base = { ...EVAL_DEFAULTS, collapsesPerDay: 1 };
    const grid = [
      { name: 'strict', options: { quantile: 0.995 } },
      { name: 'loose', options: { quantile: 0.9, minThresholdMin: 10 } },
    ];
    const folds = leaveOneHomeOut(logs, base, grid, ablations);
    expect(folds.map((f) => f.heldOut)).toEqual(logs.map((l) => l.home));
    for (const f of folds) {
      expect(f.tunedOn).not.toContain(f.heldOut);
      // Ablated copies of the tuning homes join; never one of the held-out home.
      expect(f.tunedOn.some((h) => h.startsWith(`${f.heldOut}-no-`))).toBe(false);
      for (const h of f.tunedOn.filter((x) => x.includes('-no-')))
        expect(f.tunedOn).toContain(h.replace(/-no-(motion|mats)$/, ''));
      expect(f.tunedOn.filter((h) => !h.includes('-no-')).length).toBe(logs.length - 1);
      // The held-out figure is that home replayed with the choice, nothing else.
      const again = evaluateHome(logs.find((l) => l.home === f.heldOut) ?? (logs[0] as never), {
        ...base,
        scorer: f.chosen.options,
      });
      expect(f.result.falseAlarms.length).toBe(again.falseAlarms.length);
      expect(f.result.delaysMin).toEqual(again.delaysMin);
    }
  });
});
