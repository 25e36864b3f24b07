import type { InactivityScorerOptions } from '../../edge/src/scoring/inactivity/index.ts';
import { PERSON_ROLES } from '../../edge/src/scoring/inactivity/index.ts';
import { pickCollapseTimes } from './collapse.injector.ts';
import type { Activity, HomeLog } from './dataset.reader.ts';
import { type InjectionResult, replayHome } from './replay.ts';
import { mapSensor } from './sensor.mapper.ts';

const DAY = 86_400_000;

/** Roles of the sensors in a home's log, as the installer would have paired them. */
function installedRoles(log: HomeLog): string[] {
  const roles = new Set<string>();
  for (const e of log.events) {
    const role = mapSensor(e.sensor)?.device.role;
    if (role) roles.add(role);
  }
  return [...roles];
}

export interface EvalOptions {
  seed: number;
  /** Injected collapses per home-day (default 3). */
  collapsesPerDay: number;
  /** A collapse counts as detected if the scorer alerts within this (default 24 h). */
  horizonMs: number;
  /** The first days of each home are the warm-up: reported apart, but counted in the totals. */
  warmupDays: number;
  scorer?: InactivityScorerOptions;
}

export const EVAL_DEFAULTS: EvalOptions = { seed: 8, collapsesPerDay: 3, horizonMs: DAY, warmupDays: 7 };

/** Why the person was fine: out (labelled Leaving, or came back through the entrance), asleep, the home's warm-up days, other. */
export type FalseAlarmCause = 'out' | 'asleep' | 'warmup' | 'other';
export const CAUSES: readonly FalseAlarmCause[] = ['out', 'asleep', 'warmup', 'other'];

export interface FalseAlarm {
  atMs: number;
  cause: FalseAlarmCause;
  reason: string;
  silentMin: number;
  state: string;
  /** The label covering the alert, if any (Leaving → the person was out but the scorer did not know). */
  label: string;
  warmup: boolean;
  explanation: string;
}

export interface HomeResult {
  home: string;
  days: number;
  events: number;
  labelled: boolean;
  falseAlarms: FalseAlarm[];
  injected: number;
  detected: number;
  delaysMin: number[];
  /** Injections in the warm-up days: [injected, detected]. */
  warmupInjected: [number, number];
  nightExits: number;
  meterSafety: number;
  /** Every injected collapse with what the scorer knew and did (for `--diagnose`). */
  injections: InjectionResult[];
  unmapped: string[];
}

function labelAt(activities: Activity[], t: number): string {
  for (const a of activities) if (t >= a.startMs && t < a.endMs) return a.activity;
  return '';
}

/**
 * The cause of a false alarm. With labels: Leaving → out, Sleeping → asleep. Without (or unlabelled at
 * that moment): out if the next sign of life is the entrance door (the person came back in), asleep if a
 * bed mat is pressed. Else warm-up if in the warm-up days, else other.
 */
function causeOf(log: HomeLog, t: number, warmup: boolean): FalseAlarmCause {
  const label = labelAt(log.activities, t);
  if (label === 'Leaving') return 'out';
  if (label === 'Sleeping') return 'asleep';
  if (!label) {
    const next = log.events.find(
      (e) => e.tMs > t && PERSON_ROLES.has(mapSensor(e.sensor)?.device.role as never),
    );
    if (next && mapSensor(next.sensor)?.device.role === 'front_door') return 'out';
    let bed = false;
    for (const e of log.events) {
      if (e.tMs > t) break;
      if (mapSensor(e.sensor)?.device.role === 'bed') bed = e.on;
    }
    if (bed) return 'asleep';
  }
  return warmup ? 'warmup' : 'other';
}

export function evaluateHome(log: HomeLog, o: EvalOptions = EVAL_DEFAULTS): HomeResult {
  const first = log.events[0]?.tMs ?? 0;
  const last = log.events.at(-1)?.tMs ?? first;
  const days = (last - first) / DAY;
  const injectAt = pickCollapseTimes(log.events, log.activities, {
    count: Math.max(1, Math.round(days * o.collapsesPerDay)),
    seed: o.seed,
  });
  const r = replayHome(log.events, first, last, {
    injectAtMs: injectAt,
    horizonMs: o.horizonMs,
    seed: o.seed,
    // The installer's pairing: the roles of the home's devices are known before any of them reports.
    scorer: { installedRoles: installedRoles(log), ...o.scorer },
  });
  const warmupEnd = first + o.warmupDays * DAY;
  // One false alarm per silence: escalations of the same silence are not counted again.
  const falseAlarms = r.inactivity
    .filter((d) => d.evidence.escalation === 1)
    .map((d) => ({
      atMs: d.decidedAtMs,
      cause: causeOf(log, d.decidedAtMs, d.decidedAtMs < warmupEnd),
      reason: String(d.evidence.reason ?? ''),
      silentMin: Number(d.evidence.silentMin),
      state: String(d.evidence.state),
      label: labelAt(log.activities, d.decidedAtMs),
      warmup: d.decidedAtMs < warmupEnd,
      explanation: String(d.evidence.explanation),
    }));
  const delaysMin: number[] = [];
  let detected = 0;
  const warmupInjected: [number, number] = [0, 0];
  for (const inj of r.injections) {
    const warm = inj.atMs < warmupEnd;
    if (warm) warmupInjected[0]++;
    if (!inj.detection) continue;
    detected++;
    if (warm) warmupInjected[1]++;
    delaysMin.push((inj.detection.decidedAtMs - inj.atMs) / 60_000);
  }
  return {
    home: log.home,
    days,
    events: r.events,
    labelled: log.activities.length > 0,
    falseAlarms,
    injected: r.injections.length,
    detected,
    delaysMin,
    warmupInjected,
    nightExits: r.safety.filter((d) => d.kind === 'night_exit' && d.evidence.minutesSince === 0).length,
    meterSafety: r.safety.filter((d) => d.kind === 'meter_safety').length,
    injections: r.injections,
    unmapped: [...r.unmapped],
  };
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export interface Summary {
  homes: number;
  days: number;
  falseAlarms: number;
  faPer30: number;
  faAway: number;
  /** False alarms per 30 home-days by cause. */
  faPer30ByCause: Record<FalseAlarmCause, number>;
  injected: number;
  detected: number;
  detectedRate: number;
  medianDelayMin: number;
  p90DelayMin: number;
}

export function summarise(results: HomeResult[]): Summary {
  const days = results.reduce((s, r) => s + r.days, 0);
  const falseAlarms = results.reduce((s, r) => s + r.falseAlarms.length, 0);
  const injected = results.reduce((s, r) => s + r.injected, 0);
  const detected = results.reduce((s, r) => s + r.detected, 0);
  const delays = results.flatMap((r) => r.delaysMin);
  return {
    homes: results.length,
    days,
    falseAlarms,
    faPer30: days > 0 ? (falseAlarms / days) * 30 : 0,
    faAway: results.reduce((s, r) => s + r.falseAlarms.filter((f) => f.label === 'Leaving').length, 0),
    faPer30ByCause: Object.fromEntries(
      CAUSES.map((c) => [
        c,
        days > 0
          ? (results.reduce((s, r) => s + r.falseAlarms.filter((f) => f.cause === c).length, 0) / days) * 30
          : 0,
      ]),
    ) as Record<FalseAlarmCause, number>,
    injected,
    detected,
    detectedRate: injected > 0 ? detected / injected : 0,
    medianDelayMin: median(delays),
    p90DelayMin: quantile(delays, 0.9),
  };
}

export function evalLine(s: Summary): string {
  return (
    `inactivity-eval homes=${s.homes} days=${s.days.toFixed(1)} ` +
    `false_alarms_per_30_days=${s.faPer30.toFixed(2)} detected=${s.detectedRate.toFixed(3)} ` +
    `median_delay_min=${Number.isFinite(s.medianDelayMin) ? s.medianDelayMin.toFixed(0) : 'n/a'} ` +
    `p90_delay_min=${Number.isFinite(s.p90DelayMin) ? s.p90DelayMin.toFixed(0) : 'n/a'}`
  );
}
