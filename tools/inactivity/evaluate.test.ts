import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickCollapseTimes } from './collapse.injector.ts';
import { listHomes, readHome } from './dataset.reader.ts';
import { EVAL_DEFAULTS, evalLine, evaluateHome, summarise } from './evaluate.ts';
import { loopedEvents } from './year-replay.ts';

const DATA = resolve(import.meta.dirname, '../../../shared/datasets/home');
const have = existsSync(DATA) && listHomes(DATA).length > 0;

describe.skipIf(!have)('inactivity evaluation on the smart-home logs', () => {
  it('replays every home through the scorer and ends with the inactivity-eval line', () => {
    const results = listHomes(DATA).map((h) =>
      evaluateHome(readHome(DATA, h), { ...EVAL_DEFAULTS, collapsesPerDay: 1 }),
    );
    for (const r of results) {
      expect(r.events).toBeGreaterThan(0);
      expect(r.injected).toBeGreaterThan(0);
      expect(r.unmapped).toEqual([]);
    }
    const s = summarise(results);
    const line = evalLine(s);
    expect(line).toMatch(
      /^inactivity-eval homes=\d+ days=[\d.]+ false_alarms_per_30_days=\d+\.\d\d detected=[01]\.\d{3} median_delay_min=\d+ p90_delay_min=\d+$/,
    );
    // Not a tuned figure: any scorer worth shipping finds most silences that last a day.
    expect(s.detectedRate).toBeGreaterThan(0.8);
  });

  it('injects collapses only while the person is at home and awake', () => {
    const home = listHomes(DATA)[0] ?? '';
    const log = readHome(DATA, home);
    const times = pickCollapseTimes(log.events, log.activities, { count: 30, seed: 3 });
    expect(times.length).toBe(30);
    for (const t of times)
      for (const a of log.activities)
        if (a.activity === 'Sleeping' || a.activity === 'Leaving')
          expect(t >= a.startMs && t < a.endMs).toBe(false);
    expect(pickCollapseTimes(log.events, log.activities, { count: 30, seed: 3 })).toEqual(times);
  });

  it('loops a log to a year with weekdays kept', () => {
    const log = readHome(DATA, listHomes(DATA)[0] ?? '');
    let n = 0;
    let prev = 0;
    let last = 0;
    for (const e of loopedEvents(log, 365)) {
      expect(e.tMs).toBeGreaterThanOrEqual(prev);
      prev = e.tMs;
      last = e.tMs;
      n++;
    }
    expect(n).toBeGreaterThan(log.events.length * 10);
    expect(last - (log.events[0]?.tMs ?? 0)).toBeLessThan(365 * 86_400_000);
  });
});
