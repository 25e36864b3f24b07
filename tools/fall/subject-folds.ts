// npx tsx tools/fall/subject-folds.ts [--source SmartFallMM] [--data DIR] [--tag NAME] -- [train.ts flags]
//
// Subject-wise cross-validation INSIDE the training subjects of the shipped split (docs/fall-wrist.md §8): a
// design judged on a source's validation subjects alone is judged on very few falls (SmartFallMM: 2 fallers,
// 5 falls). Here each of the source's training fallers is held out in turn — with a share of its ADL-only
// training subjects — and a model trained on every other training subject (same design flags) replays the
// held-out subjects; its threshold is chosen by train.ts's rule on the usual validation subjects. Summed over
// the folds: falls of people that fold's model never saw, and the alarms on their ADLs.
// The validation subjects stay validation subjects and the test subjects are never loaded (train.ts is
// given only train + validation subjects).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFallsIndex } from '../../edge/src/datasets/falls.ts';
import { DEFAULT_FALL_MODEL_DIR } from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import { readManifest } from '../../edge/src/scoring/fall-model/model-files.ts';
import { parseToolArgs } from '../cli-args.ts';
import { FALLS_DATA_DIR } from './recordings.ts';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = parseToolArgs(import.meta.url, {
  args: dash < 0 ? argv : argv.slice(0, dash),
  options: {
    source: { type: 'string', default: 'SmartFallMM' },
    data: { type: 'string', default: FALLS_DATA_DIR },
    tag: { type: 'string', default: 'design' },
  },
});
// --no-test would skip the replay of the held-out fold (passed to train.ts as its "test" subjects).
const trainFlags = (dash < 0 ? [] : argv.slice(dash + 1)).filter((a) => a !== '--no-test');
// The folds set the subjects themselves: a --subjects/--validation/--test passed through would override them.
const setHere = ['--subjects', '--validation', '--test'].filter((a) => trainFlags.includes(a));
if (setHere.length > 0) {
  console.error(`subject-folds sets ${setHere.join(', ')} itself: do not pass it to train.ts`);
  process.exit(2);
}
const source = own.source;
const dataDir = resolve(own.data);
const tag = own.tag;

const split = readManifest(DEFAULT_FALL_MODEL_DIR).split;
if (!split) throw new Error('models/fall/manifest.json has no split');
const infos = readFallsIndex(dataDir).filter((r) => split.train.includes(r.subject) && r.source === source);
const fallers = [...new Set(infos.filter((r) => r.label === 'fall').map((r) => r.subject))].sort();
const adlOnly = [...new Set(infos.map((r) => r.subject))].filter((s) => !fallers.includes(s)).sort();
// One fold per training faller; the ADL-only subjects dealt round-robin so every fold has some.
const folds = fallers.map((f, i) => [f, ...adlOnly.filter((_, j) => j % fallers.length === i)]);

const totals = { falls: 0, caught: 0, adls: 0, alarmed: 0, alarms: 0, hours: 0 };
const work = mkdtempSync(join(tmpdir(), 'fall-folds-'));
console.log(
  `# ${tag}: ${source} training subjects in ${folds.length} folds; train.ts ${trainFlags.join(' ')}`,
);
for (const [k, fold] of folds.entries()) {
  const args = [
    'tsx',
    resolve(import.meta.dirname, 'train.ts'),
    '--data',
    dataDir,
    '--no-card',
    '--out',
    join(work, `fold${k}`),
    '--subjects',
    [...split.train, ...split.validation].join(','),
    '--validation',
    split.validation.join(','),
    '--test',
    fold.join(','),
    ...trainFlags,
  ];
  const run = spawnSync('npx', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`fold ${k} failed:\n${run.stdout}\n${run.stderr}`);
  const line = run.stdout.split('\n').find((l) => l.includes(`TEST (edge replay) ${source}:`));
  const threshold = /threshold ([0-9.]+) \(/.exec(run.stdout)?.[1];
  if (!line) throw new Error(`fold ${k}: no replay line\n${run.stdout}`);
  const num = (key: string) => Number(new RegExp(`${key}=([0-9.]+)`).exec(line)?.[1] ?? Number.NaN);
  const falls = num('falls');
  const caught = num('caught');
  const adls = num('recordings') - falls;
  const alarmed = num('adl_alarmed');
  const alarms = num('false_alarms');
  const hours = num('adl_hours');
  totals.falls += falls;
  totals.caught += caught;
  totals.adls += adls;
  totals.alarmed += alarmed;
  totals.alarms += alarms;
  totals.hours += hours;
  console.log(
    `fold ${k + 1} (${fold.join(' ')}): threshold ${threshold}; falls caught ${caught}/${falls}; ` +
      `ADL recordings alarmed ${alarmed}/${adls}; ${alarms} alarms in ${hours.toFixed(3)} h`,
  );
}
console.log(
  `${tag}: ${source} held-out training subjects: sensitivity ${(totals.caught / totals.falls).toFixed(3)} ` +
    `(${totals.caught}/${totals.falls}); specificity ${(1 - totals.alarmed / totals.adls).toFixed(3)} ` +
    `(${totals.adls - totals.alarmed}/${totals.adls}); false alarms per ADL hour ${(totals.alarms / totals.hours).toFixed(2)} ` +
    `(${totals.alarms} in ${totals.hours.toFixed(2)} h)`,
);
