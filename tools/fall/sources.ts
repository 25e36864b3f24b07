// npx tsx tools/fall/sources.ts [--data DIR]
//
// What the falls dataset's sources differ in, per source and label: the recording rate (index.csv), the
// largest |axis| value (the watch's range: where the samples saturate) and the noise at rest (sd of |a| in
// the quietest second of each recording). Printed for the design notes in docs/fall-wrist.md.
import { join, resolve } from 'node:path';
import { magnitude, readFallsIndex, readRecording } from '../../edge/src/datasets/falls.ts';
import { parseToolArgs } from '../cli-args.ts';
import { FALLS_DATA_DIR } from './recordings.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FALLS_DATA_DIR },
  },
});
const dir = resolve(args.data);
const groups = new Map<string, { rates: number[]; maxAxis: number[]; quietSd: number[] }>();
for (const info of readFallsIndex(dir)) {
  const key = `${info.source} (${info.position}) ${info.label}`;
  const g = groups.get(key) ?? { rates: [], maxAxis: [], quietSd: [] };
  groups.set(key, g);
  const s = readRecording(join(dir, info.file));
  g.rates.push(info.rateHz);
  g.maxAxis.push(Math.max(...s.map((x) => Math.max(Math.abs(x.x), Math.abs(x.y), Math.abs(x.z)))));
  const m = s.map(magnitude);
  const w = Math.max(5, Math.round(info.rateHz));
  let quiet = Number.POSITIVE_INFINITY;
  for (let i = 0; i + w <= m.length; i += w) {
    const seg = m.slice(i, i + w);
    const mean = seg.reduce((a, b) => a + b, 0) / w;
    quiet = Math.min(quiet, Math.sqrt(seg.reduce((a, b) => a + (b - mean) ** 2, 0) / w));
  }
  if (Number.isFinite(quiet)) g.quietSd.push(quiet);
}
const q = (a: number[], p: number) =>
  [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))] ?? Number.NaN;
console.log(
  '| source, label | recordings | rate Hz (min / median / max) | max |axis| g (median / p95 / max) | quiet sd of |a| g (median) |',
);
console.log('|---|---|---|---|---|');
for (const [key, g] of [...groups].sort()) {
  console.log(
    `| ${key} | ${g.rates.length} | ${q(g.rates, 0)} / ${q(g.rates, 0.5)} / ${q(g.rates, 1)} | ` +
      `${q(g.maxAxis, 0.5).toFixed(2)} / ${q(g.maxAxis, 0.95).toFixed(2)} / ${q(g.maxAxis, 1).toFixed(2)} | ${q(g.quietSd, 0.5).toFixed(3)} |`,
  );
}
