// npm run bench:fall -- [--data DIR] [--model-dir models/fall] [--iterations 2000] [--stream-minutes 10] [--core 1]
//
// Per backend (tfjs-node when installed, wasm, cpu), each in its own child process pinned to one core
// (`taskset -c <core>`, re-exec'd automatically when taskset exists): single-window inference time — features
// alone, model alone, both (the scorer's path: the ensemble merged into one network), and both with the
// ensemble run as saved (model.predict, the path before the merge) in the same process for the ratio — the
// scorer's CPU share while streaming 50 Hz data, and RSS with the model loaded. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { readFallsIndex } from '../../edge/src/datasets/falls.ts';
import {
  createFallModelScorer,
  DEFAULT_FALL_MODEL_DIR,
} from '../../edge/src/scoring/fall-model/fall-model.scorer.ts';
import { extractFeatures } from '../../edge/src/scoring/fall-model/features.ts';
import { ImpactTrigger } from '../../edge/src/scoring/fall-model/impact-trigger.ts';
import { type AccelSample, BAND_RATE_HZ } from '../../edge/src/scoring/scorer.ts';
import { availableBackends, type TfBackendName } from '../../edge/src/scoring/tf-backend.ts';
import { parseToolArgs } from '../cli-args.ts';
import { FALLS_DATA_DIR, loadAtBandRate, rng, shuffle } from './recordings.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    data: { type: 'string', default: FALLS_DATA_DIR },
    'model-dir': { type: 'string', default: DEFAULT_FALL_MODEL_DIR },
    iterations: { type: 'string', default: '2000' },
    'stream-minutes': { type: 'string', default: '10' },
    backend: { type: 'string' },
    core: { type: 'string', default: '1' },
  },
});

const PINNED = 'ANJU_BENCH_PINNED';
const self = [...process.execArgv, process.argv[1]!];

if (!args.backend) {
  // Parent: pin to core 0 (once), then one child per backend so each RSS figure is that backend's own.
  if (!process.env[PINNED]) {
    const core = args.core;
    const hasTaskset = spawnSync('taskset', ['-c', core, 'true']).status === 0;
    if (hasTaskset) {
      const r = spawnSync('taskset', ['-c', core, process.execPath, ...self, ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: { ...process.env, [PINNED]: `taskset -c ${core}` },
      });
      process.exit(r.status ?? 1);
    }
    console.log('# taskset not available: running unpinned');
  } else console.log(`# pinned: ${process.env[PINNED]} (children inherit the affinity)`);
  const backends = await availableBackends();
  console.log(
    `# backends: ${backends.join(', ')}${backends.includes('tensorflow') ? '' : ' (tfjs-node not installed)'}`,
  );
  for (const b of backends) {
    const r = spawnSync(process.execPath, [...self, ...process.argv.slice(2), '--backend', b], {
      stdio: 'inherit',
      env: process.env,
    });
    if (r.status !== 0) console.log(`fall-bench backend=${b} failed (exit ${r.status})`);
  }
  process.exit(0);
}

// Child: one backend.
const backend = args.backend as TfBackendName;
const iterations = Number(args.iterations);
const dataDir = resolve(args.data);
const infos = readFallsIndex(dataDir);
const rssBefore = process.memoryUsage().rss;
const modelDir = resolve(args['model-dir']);
const scorer = await createFallModelScorer({ modelDir, backends: [backend] });
const rssLoaded = process.memoryUsage().rss;
const asSaved = await createFallModelScorer({ modelDir, backends: [backend], mergeEnsemble: false });

// A real fall window: the impact window of the first wrist fall recording.
const fall =
  infos.find((r) => r.label === 'fall' && r.position === 'wrist') ?? infos.find((r) => r.label === 'fall');
if (!fall) throw new Error('no fall recording in the data');
const trigger = new ImpactTrigger(scorer.manifest.trigger);
let window: Float32Array | undefined;
let peak = 0;
for (const s of loadAtBandRate(dataDir, fall))
  for (const w of trigger.push(s))
    if (w.peakG > peak) {
      peak = w.peakG;
      window = w.xyz;
    }
if (!window) throw new Error(`no window in ${fall.file}`);

const time = (fn: () => void) => {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, p99: t[Math.floor(t.length * 0.99)]! };
};
const w = window;
const layout = scorer.manifest.features;
const features = extractFeatures(w, layout);
const featuresOnly = time(() => extractFeatures(w, layout, features));
const modelOnly = time(() => scorer.scoreFeatureVector(features));
const full = time(() => scorer.scoreWindow(w));
const before = time(() => asSaved.scoreWindow(w));
asSaved.dispose?.();

// Streaming: ADL and fall recordings back to back (timestamps continued) until `stream-minutes` of 50 Hz
// data, in a seeded shuffle of all recordings so the stream holds walking, stairs, clapping, sitting and falls.
const wanted = Number(args['stream-minutes']) * 60 * BAND_RATE_HZ;
const stream: AccelSample[] = [];
const order = shuffle([...infos], rng(1));
for (let i = 0; stream.length < wanted && i < order.length; i++) {
  const offset = stream.length ? stream[stream.length - 1]!.tMs + 20 : 0;
  for (const s of loadAtBandRate(dataDir, order[i]!)) stream.push({ ...s, tMs: s.tMs + offset });
}
scorer.reset();
let detections = 0;
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (const s of stream) if (scorer.push(s)) detections++;
const cpu = process.cpuUsage(cpu0);
const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
const dataSeconds = stream.length / BAND_RATE_HZ;
const cpuMsPerDataSecond = (cpu.user + cpu.system) / 1000 / dataSeconds;
const rssEnd = process.memoryUsage().rss;
scorer.dispose?.();

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(
  `fall-bench backend=${scorer.backend} window=${scorer.manifest.trigger.preSamples + scorer.manifest.trigger.postSamples + 1} ` +
    `inference=${scorer.inference} infer_median_ms=${full.median.toFixed(3)} infer_p99_ms=${full.p99.toFixed(3)} ` +
    `features_median_ms=${featuresOnly.median.toFixed(3)} model_median_ms=${modelOnly.median.toFixed(3)} ` +
    `as_saved_infer_median_ms=${before.median.toFixed(3)} as_saved_infer_p99_ms=${before.p99.toFixed(3)} ` +
    `speedup=${(before.median / full.median).toFixed(1)}x ` +
    `cpu_ms_per_s_of_50hz=${cpuMsPerDataSecond.toFixed(3)} cpu_share=${(cpuMsPerDataSecond / 10).toFixed(3)}% ` +
    `stream_s=${dataSeconds.toFixed(0)} stream_wall_ms=${wallMs.toFixed(0)} detections=${detections} ` +
    `rss_mb_before_load=${mb(rssBefore)} rss_mb_loaded=${mb(rssLoaded)} rss_mb_after_stream=${mb(rssEnd)}`,
);
