import type { InactivityScorerOptions } from '../../edge/src/scoring/inactivity/index.ts';
import type { HomeLog, SensorEvent } from './dataset.reader.ts';
import { replayHome } from './replay.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * A home's log looped to `days` days, each copy shifted by whole weeks (weekdays stay weekdays), streamed
 * so nothing of the year is held in memory but the original log.
 */
export function* loopedEvents(log: HomeLog, days: number): Generator<SensorEvent> {
  const first = log.events[0]?.tMs ?? 0;
  const last = log.events.at(-1)?.tMs ?? first;
  const shift = Math.ceil((last - first + DAY) / WEEK) * WEEK;
  const end = first + days * DAY;
  for (let k = 0; first + k * shift < end; k++)
    for (const e of log.events) {
      const t = e.tMs + k * shift;
      if (t >= end) return;
      yield { tMs: t, sensor: e.sensor, on: e.on };
    }
}

export interface YearReplayResult {
  home: string;
  days: number;
  events: number;
  seconds: number;
  rssStartMb: number;
  rssEndMb: number;
  rssPeakMb: number;
  /** First alerts of a silence; most fall at the loop seams (a copy ends, the next starts days later). */
  alerts: number;
  seams: number;
}

export function yearReplay(log: HomeLog, days = 365, scorer?: InactivityScorerOptions): YearReplayResult {
  const first = log.events[0]?.tMs ?? 0;
  globalThis.gc?.();
  const rssStart = process.memoryUsage().rss;
  let peak = rssStart;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  sampler.unref();
  const t0 = performance.now();
  let n = 0;
  function* counted(): Generator<SensorEvent> {
    for (const e of loopedEvents(log, days)) {
      if (++n % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      yield e;
    }
  }
  const r = replayHome(counted(), first, first + days * DAY, { ...(scorer ? { scorer } : {}), horizonMs: 0 });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const rssEnd = process.memoryUsage().rss;
  peak = Math.max(peak, rssEnd);
  const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
  return {
    home: log.home,
    days,
    events: r.events,
    seconds,
    rssStartMb: mb(rssStart),
    rssEndMb: mb(rssEnd),
    rssPeakMb: mb(peak),
    alerts: r.inactivity.filter((d) => d.evidence.escalation === 1).length,
    seams: Math.ceil(days / (Math.ceil(((log.events.at(-1)?.tMs ?? first) - first + DAY) / WEEK) * 7)) - 1,
  };
}
