// npx tsx tools/fall/peak-heights.ts [--data DIR] [--split train,validation]
//
// How high the falls' impacts peak at the band's 50 Hz under each input conditioning (docs/fall-wrist.md §8):
// per source, the 10th percentile and median of each fall recording's |a| peak, and how many fall below the
// gate, for no conditioning, clip 4 g, and clip 4 g + low-pass at several cut-offs. Only the model's train and
// validation subjects (manifest split), never its test subjects.
import { resolve } from 'node:path';
import { findImpact, readFallsIndex } from '../../edge/src/datasets/falls.ts';
import { DEFAULT_FALL_MODEL_DIR } from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import {
  InputConditioner,
  type InputConditioning,
} from '../../edge/src/scoring/fall-model/input-conditioner.ts';
import { readManifest } from '../../edge/src/scoring/fall-model/model-files.ts';
import { BAND_RATE_HZ } from '../../edge/src/scoring/scorer.ts';
import { parseToolArgs } from '../cli-args.ts';
import { diagnosisSubjects, dropDuplicateRecordings, FALLS_DATA_DIR, loadAtBandRate } from './recordings.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FALLS_DATA_DIR },
    split: { type: 'string', default: 'train,validation' },
    label: { type: 'string', default: 'fall' },
  },
});
const dir = resolve(args.data);
const split = readManifest(DEFAULT_FALL_MODEL_DIR).split!;
const { subjects } = diagnosisSubjects(split, args.split);
const infos = dropDuplicateRecordings(
  dir,
  readFallsIndex(dir).filter(
    (r) => r.label === args.label && subjects.has(r.subject) && r.position === 'wrist',
  ),
).kept;
const variants: [string, InputConditioning][] = [
  ['none', {}],
  ['clip4', { clipG: 4 }],
  ['clip4+lp8', { clipG: 4, lowPassHz: 8 }],
  ['clip4+lp10', { clipG: 4, lowPassHz: 10 }],
  ['clip4+lp12', { clipG: 4, lowPassHz: 12 }],
];
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
const bySource = new Map<string, number[][]>();
for (const info of infos) {
  const s = loadAtBandRate(dir, info);
  const peaks = variants.map(([, c]) => findImpact(InputConditioner.apply(c, BAND_RATE_HZ, s)).peakG);
  const rows = bySource.get(info.source) ?? [];
  rows.push(peaks);
  bySource.set(info.source, rows);
}
console.log(
  `| source (${args.label}s) | n | ${variants.map(([n]) => `${n}: p10 / median / < 1.6 g / < 2.5 g`).join(' | ')} |`,
);
for (const [src, rows] of [...bySource].sort()) {
  const cells = variants.map((_, v) => {
    const xs = rows.map((r) => r[v]!);
    return `${q(xs, 0.1).toFixed(2)} / ${q(xs, 0.5).toFixed(2)} / ${xs.filter((x) => x < 1.6).length} / ${xs.filter((x) => x < 2.5).length}`;
  });
  console.log(`| ${src} | ${rows.length} | ${cells.join(' | ')} |`);
}
