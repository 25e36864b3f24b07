// npm run bench:emotion -- [--iterations 30] [--core 1] [--input-size 320]
//
// Per backend (tfjs-node when installed, wasm, cpu), each in its own child pinned to one core (taskset):
// one 640×480 frame → face detection (tiny face detector) + expression of each face, median and p99 ms over
// the six real photographs face-api ships (letterboxed to 640×480), and the RSS the camera pipeline adds
// (face-api + its models + the analyser, measured against the same process before loading them). Also the
// faces found per photo (the detection figure in docs/camera.md).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Frame } from '../../edge/src/camera/frame.ts';
import { decodeJpeg } from '../../edge/src/camera/jpeg-decode.ts';
import { createExpressionClassifier } from '../../edge/src/scoring/emotion/expression-classifier.ts';
import { topEmotion } from '../../edge/src/scoring/emotion/expressions.ts';
import { createFaceAnalyser, DEFAULT_ANALYSER } from '../../edge/src/scoring/emotion/face-analyser.ts';
import { FACE_API_MODEL_DIR, loadFaceApi } from '../../edge/src/scoring/emotion/face-api.loader.ts';
import { availableBackends, type TfBackendName } from '../../edge/src/scoring/tf-backend.ts';

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '30' },
    core: { type: 'string', default: '1' },
    backend: { type: 'string' },
    'input-size': { type: 'string', default: String(DEFAULT_ANALYSER.inputSize) },
  },
});
const PINNED = 'ANJU_BENCH_PINNED';
const self = [...process.execArgv, process.argv[1]!];

if (!args.backend) {
  if (!process.env[PINNED]) {
    if (spawnSync('taskset', ['-c', args.core, 'true']).status === 0) {
      const r = spawnSync('taskset', ['-c', args.core, process.execPath, ...self, ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: { ...process.env, [PINNED]: `taskset -c ${args.core}` },
      });
      process.exit(r.status ?? 1);
    }
    console.log('# taskset not available: running unpinned');
  } else console.log(`# pinned: ${process.env[PINNED]}`);
  for (const b of await availableBackends()) {
    spawnSync(process.execPath, [...self, ...process.argv.slice(2), '--backend', b], { stdio: 'inherit' });
  }
  process.exit(0);
}

const rssMb = () => process.memoryUsage().rss / 1e6;
const photosDir = join(FACE_API_MODEL_DIR, '..', 'demo');
const photos = readdirSync(photosDir)
  .filter((f) => /^sample\d\.jpg$/.test(f))
  .sort();
const limits = { timeoutMs: 5000, maxImageBytes: 20_000_000, maxPixels: 20_000_000 };
// Decode the photographs first, so the RSS baseline includes the frames but not the pipeline.
const big = photos.map((f) => decodeJpeg(readFileSync(join(photosDir, f)), limits, 0));
const rss0 = rssMb();
const rt = await loadFaceApi([args.backend as TfBackendName]);
if (rt.backend !== args.backend) {
  console.log(`${args.backend}: not available`);
  process.exit(0);
}
const classifier = await createExpressionClassifier(rt, 'trained').catch(() =>
  createExpressionClassifier(rt, 'shipped'),
);
const analyser = createFaceAnalyser(rt, classifier, {
  ...DEFAULT_ANALYSER,
  inputSize: Number(args['input-size']),
});
// Letterbox each photograph to 640×480 with tf (as ffmpeg does for RTSP cameras).
const frames: Frame[] = big.map((f) => {
  const t = rt.tf.tidy(() => {
    const img = rt.tf.tensor3d(f.rgb, [f.height, f.width, 3], 'float32');
    const scale = Math.min(640 / f.width, 480 / f.height);
    const w = Math.round(f.width * scale);
    const h = Math.round(f.height * scale);
    const small = rt.tf.image.resizeBilinear(img, [h, w]);
    const top = Math.floor((480 - h) / 2);
    const left = Math.floor((640 - w) / 2);
    return rt.tf.cast(
      rt.tf.pad(small, [
        [top, 480 - h - top],
        [left, 640 - w - left],
        [0, 0],
      ]),
      'int32',
    );
  });
  const rgb = new Uint8Array(t.dataSync());
  t.dispose();
  return { width: 640, height: 480, rgb, atMs: 0 };
});
big.length = 0;
const found: string[] = [];
for (const [i, f] of frames.entries()) {
  const faces = await analyser.analyse(f);
  found.push(`${photos[i]}: ${faces.length} (${faces.map((x) => topEmotion(x.expression)).join(',')})`);
}
const times: number[] = [];
for (let it = 0; it < Number(args.iterations); it++)
  for (const f of frames) {
    const t0 = performance.now();
    await analyser.analyse(f);
    times.push(performance.now() - t0);
  }
times.sort((x, y) => x - y);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
const added = rssMb() - rss0;
console.log(
  `${args.backend}: classifier ${classifier.kind} ${classifier.version}, detector inputSize ${args['input-size']}`,
);
console.log(`  faces found at 640×480: ${found.join('; ')}`);
console.log(
  `  per frame (detect + classify): median ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms over ${times.length} frames; RSS added ${added.toFixed(0)} MB`,
);
