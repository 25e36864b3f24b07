// npm run eval:inactivity -- --data DIR [--seed 8] [--per-day 3] [--horizon-h 24] [--warmup-days 7]
//   [--year] [--year-days 365] [--quantile 0.99] [--margin 1.5] [--min-threshold-min 60] [--quiet]
//
// Replays every home of a folder of smart-home logs (format: ../shared/datasets/home/README.md) through the
// real inactivity scorer and safety rules on a simulated clock, learning online. Reports false alarms on
// the real logs (all of them; those during labelled Leaving/Sleeping are broken out, not excluded) and,
// on collapses injected into the same logs, the detection rate and delay. Ends with the inactivity-eval
// line. --year also loops each home's log to a year and prints replay seconds and RSS.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { utcAsLocal } from '../../edge/src/scoring/inactivity/index.ts';
import { hhmm } from '../../edge/src/scoring/inactivity/local-time.ts';
import { listHomes, readHome } from './dataset.reader.ts';
import {
  EVAL_DEFAULTS,
  evalLine,
  evaluateHome,
  type HomeResult,
  median,
  quantile,
  summarise,
} from './evaluate.ts';
import { yearReplay } from './year-replay.ts';

const { values: args } = parseArgs({
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
  },
});

const dir = resolve(args.data);
const homes = listHomes(dir);
if (homes.length === 0) {
  console.error(`${dir}: no <home>.events.csv(.gz) files`);
  process.exit(2);
}
const scorer = {
  ...(args.quantile ? { quantile: Number(args.quantile) } : {}),
  ...(args.margin ? { margin: Number(args.margin) } : {}),
  ...(args['min-threshold-min'] ? { minThresholdMin: Number(args['min-threshold-min']) } : {}),
};
const opts = {
  seed: Number(args.seed),
  collapsesPerDay: Number(args['per-day']),
  horizonMs: Number(args['horizon-h']) * 3_600_000,
  warmupDays: Number(args['warmup-days']),
  scorer,
};

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const results: HomeResult[] = [];
for (const home of homes) {
  const log = readHome(dir, home);
  const r = evaluateHome(log, opts);
  results.push(r);
  const fa = r.falseAlarms;
  console.log(
    `home=${r.home} days=${r.days.toFixed(1)} events=${r.events} labelled=${r.labelled} ` +
      `false_alarms=${fa.length} (per_30_days=${((fa.length / Math.max(r.days, 1e-9)) * 30).toFixed(2)}; ` +
      `during_labelled_leaving=${fa.filter((f) => f.label === 'Leaving').length} ` +
      `during_labelled_sleeping=${fa.filter((f) => f.label === 'Sleeping').length} ` +
      `in_warmup=${fa.filter((f) => f.warmup).length}) ` +
      `collapses=${r.injected} detected=${r.detected} (warmup ${r.warmupInjected[1]}/${r.warmupInjected[0]}) ` +
      `delay_min median=${fmt(median(r.delaysMin))} p90=${fmt(quantile(r.delaysMin, 0.9))} ` +
      `max=${fmt(Math.max(...r.delaysMin))} night_exit=${r.nightExits} meter_safety=${r.meterSafety}` +
      (r.unmapped.length ? ` unmapped=${r.unmapped.join('|')}` : ''),
  );
  if (!args.quiet)
    for (const f of fa)
      console.log(
        `  false alarm ${new Date(f.atMs).toISOString().slice(0, 16)} (${hhmm(f.atMs, utcAsLocal)}) ` +
          `state=${f.state} label=${f.label || '-'}${f.warmup ? ' warmup' : ''}: ${f.explanation}`,
      );
}

if (args.year)
  for (const home of homes) {
    const y = yearReplay(readHome(dir, home), Number(args['year-days']), scorer);
    console.log(
      `year-replay home=${y.home} days=${y.days} events=${y.events} seconds=${y.seconds.toFixed(1)} ` +
        `rss_start_mb=${y.rssStartMb} rss_end_mb=${y.rssEndMb} rss_peak_mb=${y.rssPeakMb} alerts=${y.alerts} loop_seams=${y.seams}`,
    );
  }

const s = summarise(results);
console.log(
  `totals: false_alarms=${s.falseAlarms} (during labelled leaving ${s.faAway}) collapses=${s.injected} ` +
    `detected=${s.detected} delay_min median=${fmt(s.medianDelayMin)} p90=${fmt(s.p90DelayMin)}`,
);
console.log(evalLine(s));
