// npm run eval:inactivity -- --data DIR [--fixed] [--seed 8] [--per-day 3] [--horizon-h 24] [--warmup-days 7]
//   [--year] [--year-days 365] [--quantile 0.99] [--margin 1] [--min-threshold-min 45] [--quiet]
//   [--diagnose] [--ablate] [--perturb] [--scorer-json JSON]
//
// Replays every home of a folder of smart-home logs (format: ../shared/datasets/home/README.md) through the
// real inactivity scorer and safety rules on a simulated clock, learning online. Reports false alarms on
// the real logs (all of them, split by cause: out, asleep, warm-up, other) and, on collapses injected into
// the same logs, the detection rate and the median and p90 delay.
//
// Default protocol (≥ 2 homes): leave-one-home-out — each home is scored with the parameters chosen on the
// other homes (tools/inactivity/loho.ts); the final inactivity-eval line pools the held-out figures only.
// --fixed scores every home with the shipped defaults (plus any --quantile/--margin/--min-threshold-min):
// on homes the defaults were not chosen on, that is the figure of a gateway installed there.
// --year also loops each home's log to a year and prints replay seconds and RSS.
import { resolve } from 'node:path';
import { type InactivityScorerOptions, utcAsLocal } from '../../edge/src/scoring/inactivity/index.ts';
import { hhmm } from '../../edge/src/scoring/inactivity/local-time.ts';
import { numberOption, parseToolArgs } from '../cli-args.ts';
import { ablations } from './ablate.ts';
import { listHomes, readHome } from './dataset.reader.ts';
import {
  EVAL_DEFAULTS,
  evalLine,
  evaluateHome,
  type FalseAlarm,
  type HomeResult,
  median,
  quantile,
  summarise,
} from './evaluate.ts';
import { leaveOneHomeOut } from './loho.ts';
import { slowPirs } from './perturb.ts';
import { yearReplay } from './year-replay.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../../shared/datasets/home') },
    seed: { type: 'string', default: String(EVAL_DEFAULTS.seed) },
    'per-day': { type: 'string', default: String(EVAL_DEFAULTS.collapsesPerDay) },
    'horizon-h': { type: 'string', default: '24' },
    'warmup-days': { type: 'string', default: String(EVAL_DEFAULTS.warmupDays) },
    year: { type: 'boolean', default: false },
    'year-days': { type: 'string', default: '365' },
    quantile: { type: 'string' },
    margin: { type: 'string' },
    'min-threshold-min': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    /** One line per injected collapse: hour, last change before it, mats pressed, delay, reason, threshold. */
    diagnose: { type: 'boolean', default: false },
    fixed: { type: 'boolean', default: false },
    /**
     * Also each home without its motion sensors, and without its mats (tools/inactivity/ablate.ts): under
     * leave-one-home-out they join the tuning set with their home (never the held-out one's); with --fixed
     * they are scored and printed apart, outside the last line.
     */
    ablate: { type: 'boolean', default: false },
    /**
     * With --fixed: also each home with PIRs that clear 10 min late (tools/inactivity/perturb.ts), scored
     * and printed apart, outside the last line.
     */
    perturb: { type: 'boolean', default: false },
    /** Any scorer options as JSON, e.g. '{"contextWeight":32}' (with --fixed; under LOHO the grid's win). */
    'scorer-json': { type: 'string' },
  },
});

const dir = resolve(args.data);
const homes = listHomes(dir);
if (homes.length === 0) {
  console.error(`${dir}: no <home>.events.csv(.gz) files`);
  process.exit(2);
}
const num = (name: keyof typeof args, min: number, max: number) =>
  numberOption(import.meta.url, name, args[name] as string | undefined, min, max);
const scorerJson = (): InactivityScorerOptions => {
  try {
    const parsed: unknown = JSON.parse(args['scorer-json'] ?? '{}');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as InactivityScorerOptions;
  } catch (err) {
    console.error(`--scorer-json must be a JSON object of scorer options: ${(err as Error).message}`);
    process.exit(2);
  }
};
const scorer = {
  ...(args.quantile ? { quantile: num('quantile', 0.5, 0.99999) } : {}),
  ...(args.margin ? { margin: num('margin', 0.1, 10) } : {}),
  ...(args['min-threshold-min'] ? { minThresholdMin: num('min-threshold-min', 1, 1440) } : {}),
  ...scorerJson(),
};
const opts = {
  seed: num('seed', 0, 2 ** 31),
  collapsesPerDay: num('per-day', 0, 100),
  horizonMs: num('horizon-h', 1, 24 * 7) * 3_600_000,
  warmupDays: num('warmup-days', 0, 365),
  scorer,
};

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const per30 = (n: number, days: number) => ((n / Math.max(days, 1e-9)) * 30).toFixed(2);
const byCause = (fa: FalseAlarm[], days: number) =>
  (['out', 'asleep', 'warmup', 'other'] as const)
    .map((c) => `${c}=${per30(fa.filter((f) => f.cause === c).length, days)}`)
    .join(' ');

function printHome(r: HomeResult, note: string): void {
  const fa = r.falseAlarms;
  console.log(
    `home=${r.home}${note} days=${r.days.toFixed(1)} events=${r.events} labelled=${r.labelled} ` +
      `false_alarms=${fa.length} per_30_days=${per30(fa.length, r.days)} (${byCause(fa, r.days)}) ` +
      `collapses=${r.injected} detected=${r.detected} (warmup ${r.warmupInjected[1]}/${r.warmupInjected[0]}) ` +
      `delay_min median=${fmt(median(r.delaysMin))} p90=${fmt(quantile(r.delaysMin, 0.9))} ` +
      `max=${fmt(Math.max(...r.delaysMin))} night_exit=${r.nightExits} meter_safety=${r.meterSafety}` +
      (r.unmapped.length ? ` unmapped=${r.unmapped.join('|')}` : ''),
  );
  if (args.diagnose) printInjections(r);
  if (!args.quiet)
    for (const f of fa)
      console.log(
        `  false alarm ${new Date(f.atMs).toISOString().slice(0, 16)} (${hhmm(f.atMs, utcAsLocal)}) ` +
          `cause=${f.cause} state=${f.state} label=${f.label || '-'} reason=${f.reason}: ${f.explanation}`,
      );
}

function printInjections(r: HomeResult): void {
  const reasons = new Map<string, number>();
  for (const inj of r.injections) {
    const why = inj.detection ? String(inj.detection.evidence.reason) : 'missed';
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  console.log(`  reasons ${[...reasons].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  for (const inj of r.injections) {
    const d = inj.detection;
    const lc = inj.lastChange;
    const sinceLast = lc ? ((inj.atMs - lc.tMs) / 60_000).toFixed(0) : '-';
    const delay = d ? ((d.decidedAtMs - inj.atMs) / 60_000).toFixed(0) : 'missed';
    console.log(
      `  collapse ${new Date(inj.atMs).toISOString().slice(0, 16)} delay=${delay} ` +
        `last=${lc ? `${lc.deviceId}:${lc.active ? 'on' : 'off'}` : '-'} ${sinceLast}min before ` +
        `pressed=${inj.pressed.join('+') || '-'} ` +
        (d
          ? `reason=${String(d.evidence.reason)} context=${String(d.evidence.context ?? '-')} ` +
            `threshold=${String(d.evidence.thresholdMin)} hour_usual=${String(d.evidence.usualSilenceMin)}` +
            (d.evidence.learningDay !== undefined ? ` learning_day=${String(d.evidence.learningDay)}` : '')
          : ''),
    );
  }
}

const logs = homes.map((h) => readHome(dir, h));
const results: HomeResult[] = [];
if (args.fixed || logs.length < 2) {
  console.log(
    `protocol=fixed (shipped defaults${Object.keys(scorer).length ? ` + ${JSON.stringify(scorer)}` : ''})`,
  );
  for (const log of logs) {
    const r = evaluateHome(log, opts);
    results.push(r);
    printHome(r, '');
  }
  if (args.perturb) {
    const slow = logs.flatMap((l) => slowPirs(l) ?? []).map((l) => evaluateHome(l, opts));
    for (const r of slow) printHome(r, ' (perturbed)');
    const a = summarise(slow);
    console.log(
      `perturbed homes=${a.homes} days=${a.days.toFixed(1)} false_alarms_per_30_days=${a.faPer30.toFixed(2)} ` +
        `detected=${a.detectedRate.toFixed(3)} median_delay_min=${fmt(a.medianDelayMin)} p90_delay_min=${fmt(a.p90DelayMin)}`,
    );
  }
  if (args.ablate) {
    const ablated = logs.flatMap(ablations).map((l) => evaluateHome(l, opts));
    for (const r of ablated) printHome(r, ' (ablated)');
    const a = summarise(ablated);
    console.log(
      `ablated homes=${a.homes} days=${a.days.toFixed(1)} false_alarms_per_30_days=${a.faPer30.toFixed(2)} ` +
        `detected=${a.detectedRate.toFixed(3)} median_delay_min=${fmt(a.medianDelayMin)} p90_delay_min=${fmt(a.p90DelayMin)}`,
    );
  }
} else {
  console.log(`protocol=leave-one-home-out homes=${logs.length}`);
  for (const f of leaveOneHomeOut(logs, opts, undefined, args.ablate ? ablations : undefined)) {
    results.push(f.result);
    console.log(
      `fold held_out=${f.heldOut} chosen [${f.chosen.name}] on ${f.tunedOn.join('+')}: fa_per_30_days=${f.tuning.faPer30.toFixed(2)} detected=${f.tuning.detectedRate.toFixed(3)} ` +
        `median=${fmt(f.tuning.medianDelayMin)} p90=${fmt(f.tuning.p90DelayMin)}`,
    );
    printHome(f.result, ' (held out)');
  }
}

if (args.year)
  for (const home of homes) {
    const y = yearReplay(readHome(dir, home), num('year-days', 1, 3650), scorer);
    console.log(
      `year-replay home=${y.home} days=${y.days} events=${y.events} seconds=${y.seconds.toFixed(1)} ` +
        `rss_start_mb=${y.rssStartMb} rss_end_mb=${y.rssEndMb} rss_peak_mb=${y.rssPeakMb} alerts=${y.alerts} loop_seams=${y.seams}`,
    );
  }

const s = summarise(results);
console.log(
  `totals: false_alarms=${s.falseAlarms} per_30_days by cause: ${(
    ['out', 'asleep', 'warmup', 'other'] as const
  )
    .map((c) => `${c}=${s.faPer30ByCause[c].toFixed(2)}`)
    .join(' ')} collapses=${s.injected} detected=${s.detected} ` +
    `delay_min median=${fmt(s.medianDelayMin)} p90=${fmt(s.p90DelayMin)}`,
);
console.log(evalLine(s));
