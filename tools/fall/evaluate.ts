// Replays recordings through the real edge path — the registry's scorer, fed one 50 Hz sample at a time,
// and ConfirmPolicy on a ManualClock — and scores the alarms it raises. Used by eval.ts and by train.ts
// for the model card, so the published figures come from the same code the gateway runs.

import { ManualClock } from '../../edge/src/clock.ts';
import { findImpact, type RecordingInfo } from '../../edge/src/datasets/falls.ts';
import { ConfirmPolicy } from '../../edge/src/policy/confirm-window.ts';
import type { Detection, Scorer } from '../../edge/src/scoring/scorer.ts';
import { loadAtBandRate } from './recordings.ts';

export interface EvalOptions {
  confirmWindowMs: number;
  dedupeMs: number;
  /** A fall counts as caught when an alarm's decision falls in [impact - earlyMs, impact + lateMs]. */
  earlyMs: number;
  lateMs: number;
}

export const EVAL_DEFAULTS: EvalOptions = {
  confirmWindowMs: 30_000,
  dedupeMs: 60_000,
  earlyMs: 2_000,
  lateMs: 5_000,
};

export interface Alarm {
  occurredAtMs: number;
  decidedAtMs: number;
  raisedAtMs: number;
  score: number;
}

export interface RecordingResult {
  info: RecordingInfo;
  durationMs: number;
  impactMs?: number;
  alarms: Alarm[];
  /** Falls: an alarm in the impact window. ADLs: no alarm at all. */
  correct: boolean;
  /** Falls: impact → decision of the first alarm in the window (before the confirm window). */
  latencyMs?: number;
}

export interface EvalSummary {
  recordings: number;
  falls: number;
  adls: number;
  truePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  falsePositives: number;
  sensitivity: number;
  specificity: number;
  adlHours: number;
  adlAlarms: number;
  falseAlarmsPerAdlHour: number;
  medianLatencyMs: number | undefined;
  maxLatencyMs: number | undefined;
}

export function evaluateRecording(
  dir: string,
  info: RecordingInfo,
  scorer: Scorer,
  opts: EvalOptions = EVAL_DEFAULTS,
): RecordingResult {
  const samples = loadAtBandRate(dir, info);
  scorer.reset();
  const first = samples[0]!;
  const clock = new ManualClock(first.tMs);
  const alarms: Alarm[] = [];
  const policy = new ConfirmPolicy(
    { confirmWindowMs: opts.confirmWindowMs, dedupeMs: opts.dedupeMs },
    clock,
    (outcome) => {
      if (outcome.type !== 'raised') return;
      const d: Detection = outcome.detection;
      alarms.push({
        occurredAtMs: d.occurredAtMs,
        decidedAtMs: d.decidedAtMs,
        raisedAtMs: outcome.raisedAtMs,
        score: d.score.value,
      });
    },
  );
  for (const s of samples) {
    clock.advanceTo(s.tMs);
    const d = scorer.push(s);
    if (d) policy.detected(d);
  }
  // Nobody presses "I'm OK" in a replay: let pending detections run out their confirm window.
  clock.advance(opts.confirmWindowMs + 1);
  policy.stop();
  const durationMs = samples[samples.length - 1]!.tMs - first.tMs + 1000 / 50;
  if (info.label === 'adl') return { info, durationMs, alarms, correct: alarms.length === 0 };
  const impactMs = findImpact(samples).tMs;
  const hit = alarms.find(
    (a) => a.decidedAtMs >= impactMs - opts.earlyMs && a.decidedAtMs <= impactMs + opts.lateMs,
  );
  return hit
    ? { info, durationMs, impactMs, alarms, correct: true, latencyMs: hit.decidedAtMs - impactMs }
    : { info, durationMs, impactMs, alarms, correct: false };
}

export function summarise(results: readonly RecordingResult[]): EvalSummary {
  const falls = results.filter((r) => r.info.label === 'fall');
  const adls = results.filter((r) => r.info.label === 'adl');
  const tp = falls.filter((r) => r.correct).length;
  const tn = adls.filter((r) => r.correct).length;
  const adlHours = adls.reduce((a, r) => a + r.durationMs, 0) / 3_600_000;
  const adlAlarms = adls.reduce((a, r) => a + r.alarms.length, 0);
  const lat = falls.flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs])).sort((a, b) => a - b);
  return {
    recordings: results.length,
    falls: falls.length,
    adls: adls.length,
    truePositives: tp,
    falseNegatives: falls.length - tp,
    trueNegatives: tn,
    falsePositives: adls.length - tn,
    sensitivity: falls.length ? tp / falls.length : Number.NaN,
    specificity: adls.length ? tn / adls.length : Number.NaN,
    adlHours,
    adlAlarms,
    falseAlarmsPerAdlHour: adlHours > 0 ? adlAlarms / adlHours : Number.NaN,
    medianLatencyMs: median(lat),
    maxLatencyMs: lat.length ? lat[lat.length - 1] : undefined,
  };
}

function median(sorted: readonly number[]): number | undefined {
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The one-line summary the issue asks for. */
export function evalLine(s: EvalSummary): string {
  const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  return (
    `fall-eval recordings=${s.recordings} falls=${s.falls} sensitivity=${f3(s.sensitivity)} ` +
    `specificity=${f3(s.specificity)} false_alarms_per_adl_hour=${f2(s.falseAlarmsPerAdlHour)} ` +
    `median_latency_ms=${s.medianLatencyMs === undefined ? 'n/a' : Math.round(s.medianLatencyMs)}`
  );
}

/** Errors per source and activity: what the model card's per-activity table is made of. */
export function byActivity(
  results: readonly RecordingResult[],
): { source: string; activity: string; label: string; description: string; n: number; errors: number }[] {
  const rows = new Map<
    string,
    { source: string; activity: string; label: string; description: string; n: number; errors: number }
  >();
  for (const r of results) {
    const key = `${r.info.source}|${r.info.activity}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        source: r.info.source,
        activity: r.info.activity,
        label: r.info.label,
        description: r.info.description,
        n: 0,
        errors: 0,
      };
      rows.set(key, row);
    }
    row.n++;
    if (!r.correct) row.errors++;
  }
  return [...rows.values()].sort((a, b) => (a.source + a.activity).localeCompare(b.source + b.activity));
}

/** One leave-one-source-out run (train.ts --exclude-source): the left-out source replayed in full. */
export interface LosoEntry {
  source: string;
  threshold: number;
  validationSources: string[];
  summary: EvalSummary;
  errorsByActivity: ReturnType<typeof byActivity>;
  args: string;
  seconds: number;
}

/** Alarms a person would meet wearing the band `hoursPerDay` a day, at a rate per ADL hour. */
export const alarmsPerDay = (perHour: number, hoursPerDay = 16) => perHour * hoursPerDay;
