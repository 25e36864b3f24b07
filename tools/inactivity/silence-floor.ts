// npx tsx tools/inactivity/silence-floor.ts [--data DIR] [--seed 8] [--per-day 3] [--budget 1]
//
// What a scorer that alerts on a silence can reach in these homes: the logs' own awake-at-home silences
// (the false alarms it must not raise) against the injected collapses of eval:inactivity (same injector,
// same seed). It is given what no gateway has — the labels saying when the person is out or asleep
// (labelled Leaving / Sleeping; a held bed or seat mat is not silence, as in the scorer) — and its
// thresholds are fitted on the very days it is scored on, so its in-sample figures are better than any
// scorer of the same form can do in a home it has not seen:
// - one threshold all day: false alarms per 30 home-days, median and p90 delay, for each threshold;
// - a threshold per start hour, fitted in-sample (greedy) to the lowest median delay within the budget;
// - a threshold per (home, last device and its state, 6-hour block), fitted the same way: what a scorer
//   that knew each context's tail could do;
// - both fits out of sample: fitted on one half of each home's days, scored on the other half.
// Homes without labels are skipped (out and asleep cannot be told there). Ends with the line
// `silence-floor homes=N days=D budget=B per_hour_median_min=… per_hour_p90_min=… per_context_median_min=… per_context_p90_min=…`
import { resolve } from 'node:path';
import { HELD_CAP_MS, PERSON_ROLES } from '../../edge/src/scoring/inactivity/index.ts';
import { numberOption, parseToolArgs } from '../cli-args.ts';
import { pickCollapseTimes } from './collapse.injector.ts';
import { type HomeLog, listHomes, readHome } from './dataset.reader.ts';
import { EVAL_DEFAULTS, median, quantile } from './evaluate.ts';
import { mapSensor } from './sensor.mapper.ts';

const MIN = 60_000;
const DAY = 1_440 * MIN;
/** Silences shorter than this are not counted (the scorer does not learn them either). */
const SHORTEST_MIN = 5;
/** Thresholds a fit may pick, minutes. */
export const THRESHOLD_GRID = [30, 45, 60, 75, 90, 105, 120, 150, 180, 240, 300, 360, 480, 600, 720];

/** A silence awake at home: from the last sign of life to the next one, or to the person leaving or sleeping. */
export interface Silence {
  startMs: number;
  minutes: number;
  /** The last person-made change before it: device and state (`Kitchen_Door_PIR:off`). */
  last: string;
}

/** An injected collapse: the silence it leaves starts at `startMs` (the last sign of life, or the collapse). */
export interface Collapse {
  atMs: number;
  startMs: number;
  last: string;
}

export interface HomeFloor {
  home: string;
  days: number;
  silences: Silence[];
  collapses: Collapse[];
}

interface Life {
  tMs: number;
  last: string;
}

/**
 * Signs of life of a log: every change of a person-made device, and every minute a bed or seat mat is held
 * (within its cap), so that sitting or lying on a mat is not silence, as in the scorer.
 */
function signsOfLife(log: HomeLog): Life[] {
  const out: Life[] = [];
  const heldSince = new Map<string, number>();
  for (const e of log.events) {
    const m = mapSensor(e.sensor);
    if (!m || !PERSON_ROLES.has(m.device.role as never)) continue;
    const last = `${e.sensor}:${e.on ? 'on' : 'off'}`;
    out.push({ tMs: e.tMs, last });
    const cap = HELD_CAP_MS[m.device.role as keyof typeof HELD_CAP_MS];
    if (cap === undefined) continue;
    const since = heldSince.get(e.sensor);
    if (e.on && since === undefined) heldSince.set(e.sensor, e.tMs);
    else if (!e.on && since !== undefined) {
      heldSince.delete(e.sensor);
      const end = Math.min(e.tMs, since + cap);
      for (let t = since + MIN; t < end; t += MIN) out.push({ tMs: t, last: `${e.sensor}:on` });
    }
  }
  return out.sort((a, b) => a.tMs - b.tMs);
}

/** The labelled intervals when nobody can be expected to move at home: out, or asleep. */
function awayOrAsleep(log: HomeLog): [number, number][] {
  return log.activities
    .filter((a) => a.activity === 'Leaving' || a.activity === 'Sleeping')
    .map((a): [number, number] => [a.startMs, a.endMs])
    .sort((a, b) => a[0] - b[0]);
}

function inside(intervals: [number, number][], t: number): boolean {
  return intervals.some(([a, b]) => t >= a && t < b);
}

/** The silences and collapses of one labelled home; undefined for a home without labels. */
export function homeFloor(log: HomeLog, seed: number, perDay: number): HomeFloor | undefined {
  if (log.activities.length === 0) return undefined;
  const life = signsOfLife(log);
  const first = log.events[0]?.tMs ?? 0;
  const last = log.events.at(-1)?.tMs ?? first;
  const days = (last - first) / DAY;
  const excluded = awayOrAsleep(log);
  const silences: Silence[] = [];
  for (let i = 0; i + 1 < life.length; i++) {
    const a = life[i]!;
    if (inside(excluded, a.tMs)) continue;
    // The silence ends at the next sign of life, or where the person leaves or falls asleep.
    let end = life[i + 1]!.tMs;
    for (const [s] of excluded) if (s > a.tMs && s < end) end = s;
    const minutes = (end - a.tMs) / MIN;
    if (minutes >= SHORTEST_MIN) silences.push({ startMs: a.tMs, minutes, last: a.last });
  }
  const collapses: Collapse[] = [];
  for (const atMs of pickCollapseTimes(log.events, log.activities, {
    count: Math.max(1, Math.round(days * perDay)),
    seed,
  })) {
    let j = life.length - 1;
    while (j >= 0 && life[j]!.tMs > atMs) j--;
    const before = life[j];
    // On a held mat at the collapse (a sign of life within the last minute): the fall releases it, and the
    // silence starts at the collapse.
    const onMat = before !== undefined && atMs - before.tMs < MIN && before.last.endsWith(':on');
    collapses.push({
      atMs,
      startMs: onMat || !before ? atMs : before.tMs,
      last: before?.last ?? '-',
    });
  }
  return { home: log.home, days, silences, collapses };
}

export interface FloorFigures {
  falseAlarmsPer30Days: number;
  medianDelayMin: number;
  p90DelayMin: number;
}

type Rule = (home: string, startMs: number, last: string) => number;

interface Tally {
  alarms: number;
  days: number;
  delays: number[];
}

/** The false alarms a rule (a threshold in minutes, by silence start and last change) raises, and its delays. */
function tally(homes: HomeFloor[], threshold: Rule, into: Tally = { alarms: 0, days: 0, delays: [] }): Tally {
  for (const h of homes) {
    into.days += h.days;
    for (const s of h.silences) if (s.minutes >= threshold(h.home, s.startMs, s.last)) into.alarms++;
    for (const c of h.collapses)
      into.delays.push(Math.max(0, (c.startMs - c.atMs) / MIN + threshold(h.home, c.startMs, c.last)));
  }
  return into;
}

function figuresOf(t: Tally): FloorFigures {
  return {
    falseAlarmsPer30Days: (t.alarms / Math.max(t.days, 1e-9)) * 30,
    medianDelayMin: median(t.delays),
    p90DelayMin: quantile(t.delays, 0.9),
  };
}

/** Figures of a threshold rule over the homes. */
export function figures(homes: HomeFloor[], threshold: Rule): FloorFigures {
  return figuresOf(tally(homes, threshold));
}

const hourOf = (tMs: number) => new Date(tMs).getUTCHours(); // local wall time encoded as UTC (dataset.reader)
type Key = (home: string, startMs: number, last: string) => string;
const hourKey: Key = (_home, startMs) => String(hourOf(startMs));
const contextKey: Key = (home, startMs, last) => `${home}|${last}|${Math.floor(hourOf(startMs) / 6)}`;

/**
 * Greedy in-sample fit of one threshold per key: from the longest threshold everywhere, lower the key whose
 * next step down buys the most delay (median first, p90 a tenth as much) while the pooled false alarms stay
 * within the budget, until no step does.
 */
export function fitThresholds(
  homes: HomeFloor[],
  keyOf: Key,
  budgetPer30Days: number,
): { thresholds: Map<string, number>; figures: FloorFigures } {
  const keys = new Set<string>();
  for (const h of homes) {
    for (const s of h.silences) keys.add(keyOf(h.home, s.startMs, s.last));
    for (const c of h.collapses) keys.add(keyOf(h.home, c.startMs, c.last));
  }
  const top = THRESHOLD_GRID.length - 1;
  const step = new Map([...keys].map((k) => [k, top]));
  const rule =
    (m: Map<string, number>): Rule =>
    (home, startMs, last) =>
      THRESHOLD_GRID[m.get(keyOf(home, startMs, last)) ?? top]!;
  let now = figures(homes, rule(step));
  for (;;) {
    let best: { key: string; score: number; f: FloorFigures } | undefined;
    for (const key of keys) {
      const i = step.get(key)!;
      if (i === 0) continue;
      step.set(key, i - 1);
      const f = figures(homes, rule(step));
      step.set(key, i);
      if (f.falseAlarmsPer30Days > budgetPer30Days) continue;
      const score = now.medianDelayMin - f.medianDelayMin + 0.1 * (now.p90DelayMin - f.p90DelayMin) + 1e-6;
      if (!best || score > best.score) best = { key, score, f };
    }
    if (!best) break;
    step.set(best.key, step.get(best.key)! - 1);
    now = best.f;
  }
  return {
    thresholds: new Map([...step].map(([k, i]) => [k, THRESHOLD_GRID[i]!])),
    figures: now,
  };
}

/** The home's days before `cut` (0) or from it (1): silences and collapses by their start. */
function half(h: HomeFloor, part: 0 | 1): HomeFloor {
  const first = Math.min(...h.silences.map((s) => s.startMs), ...h.collapses.map((c) => c.atMs));
  const cut = first + (h.days * DAY) / 2;
  const keep = (t: number) => (part === 0 ? t < cut : t >= cut);
  return {
    ...h,
    days: h.days / 2,
    silences: h.silences.filter((s) => keep(s.startMs)),
    collapses: h.collapses.filter((c) => keep(c.startMs)),
  };
}

/**
 * The same fits scored out of sample: fitted on the first half of each home's days and scored on the
 * second, and the other way round; a context not seen in the fitting half gets that half's hour threshold.
 */
export function twoFoldFigures(
  homes: HomeFloor[],
  budgetPer30Days: number,
): { perHour: FloorFigures; perContext: FloorFigures } {
  const perHour: Tally = { alarms: 0, days: 0, delays: [] };
  const perContext: Tally = { alarms: 0, days: 0, delays: [] };
  for (const part of [0, 1] as const) {
    const fitOn = homes.map((h) => half(h, part));
    const scoreOn = homes.map((h) => half(h, part === 0 ? 1 : 0));
    const byHour = fitThresholds(fitOn, hourKey, budgetPer30Days).thresholds;
    const byContext = fitThresholds(fitOn, contextKey, budgetPer30Days).thresholds;
    const hourRule: Rule = (h, t, l) => byHour.get(hourKey(h, t, l)) ?? 720;
    tally(scoreOn, hourRule, perHour);
    tally(scoreOn, (h, t, l) => byContext.get(contextKey(h, t, l)) ?? hourRule(h, t, l), perContext);
  }
  return { perHour: figuresOf(perHour), perContext: figuresOf(perContext) };
}

const fmt = (f: FloorFigures) =>
  `false_alarms_per_30_days=${f.falseAlarmsPer30Days.toFixed(2)} median_delay_min=${f.medianDelayMin.toFixed(0)} p90_delay_min=${f.p90DelayMin.toFixed(0)}`;

function main(): void {
  const url = import.meta.url;
  const args = parseToolArgs(url, {
    options: {
      data: { type: 'string', default: resolve(import.meta.dirname, '../../../shared/datasets/home') },
      seed: { type: 'string', default: String(EVAL_DEFAULTS.seed) },
      'per-day': { type: 'string', default: String(EVAL_DEFAULTS.collapsesPerDay) },
      budget: { type: 'string', default: '1' },
    },
  });
  const seed = numberOption(url, 'seed', args.seed, 0, 2 ** 31);
  const perDay = numberOption(url, 'per-day', args['per-day'], 0.1, 48);
  const budget = numberOption(url, 'budget', args.budget, 0, 1000);
  let names: string[];
  try {
    names = listHomes(args.data);
  } catch (err) {
    console.error(`cannot read ${args.data}: ${(err as Error).message}`);
    process.exit(2);
  }
  const homes: HomeFloor[] = [];
  for (const name of names) {
    const h = homeFloor(readHome(args.data, name), seed, perDay);
    if (!h) {
      console.log(`home=${name}: no activity labels (out and asleep cannot be told): skipped`);
      continue;
    }
    const long = [45, 60, 90, 120, 180].map(
      (m) => `>=${m}min ${((h.silences.filter((s) => s.minutes >= m).length / h.days) * 30).toFixed(1)}`,
    );
    console.log(
      `home=${name} days=${h.days.toFixed(1)} collapses=${h.collapses.length} awake-at-home silences per 30 days: ${long.join(' ')}`,
    );
    homes.push(h);
  }
  if (homes.length === 0) {
    console.error(`no labelled home under ${args.data}`);
    process.exit(2);
  }
  console.log('\none threshold all day (minutes):');
  for (const t of THRESHOLD_GRID.slice(1, 11))
    console.log(`  ${String(t).padStart(3)}: ${fmt(figures(homes, () => t))}`);
  const perHour = fitThresholds(homes, hourKey, budget);
  const byHour = Array.from({ length: 24 }, (_, h) => perHour.thresholds.get(String(h)) ?? 720);
  console.log(`\na threshold per start hour, fitted on these days (budget ${budget} per 30 days):`);
  console.log(`  ${fmt(perHour.figures)}`);
  console.log(`  thresholds 00h..23h: ${byHour.join(' ')}`);
  const perContext = fitThresholds(homes, contextKey, budget);
  console.log(
    `\na threshold per (home, last device and state, 6-hour block), fitted on these days: ${perContext.thresholds.size} thresholds`,
  );
  console.log(`  ${fmt(perContext.figures)}`);
  const oos = twoFoldFigures(homes, budget);
  console.log(
    "\nthe same two fits out of sample (fitted on one half of each home's days, scored on the other):",
  );
  console.log(`  per start hour:  ${fmt(oos.perHour)}`);
  console.log(`  per context:     ${fmt(oos.perContext)}`);
  const days = homes.reduce((s, h) => s + h.days, 0);
  console.log(
    `\nsilence-floor homes=${homes.length} days=${days.toFixed(1)} budget=${budget} per_hour_median_min=${perHour.figures.medianDelayMin.toFixed(0)} per_hour_p90_min=${perHour.figures.p90DelayMin.toFixed(0)} per_context_median_min=${perContext.figures.medianDelayMin.toFixed(0)} per_context_p90_min=${perContext.figures.p90DelayMin.toFixed(0)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
