// npm run bench:emotion -- [--iterations 10] [--core 1] [--input-sizes 224,256,320] [--backends wasm,cpu]
//                          [--classifier trained|shipped] [--model DIR]
//
// Per backend (tfjs-node when installed, wasm, cpu), each in its own child pinned to one core (taskset):
// one 640×480 frame → face detection (tiny face detector) + expression of each face, median and p99 ms over
// the six real photographs face-api ships (letterboxed to 640×480), for each detector input size, with the
// faces found per photo at that size (the detection figure in docs/camera.md), the detector alone and the
// classifier per face; and the RSS the camera pipeline adds (face-api + its models + the analyser), measured
// against the same process before loading them with the same frames held at both readings (after a GC).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../../edge/src/camera/frame.ts';
import { decodeJpeg } from '../../edge/src/camera/jpeg-decode.ts';
import {
  createExpressionClassifier,
  EMOTION_MODEL_DIR,
} from '../../edge/src/scoring/emotion/expression-classifier.ts';
import { topEmotion } from '../../edge/src/scoring/emotion/expressions.ts';
import { createFaceAnalyser, DEFAULT_ANALYSER } from '../../edge/src/scoring/emotion/face-analyser.ts';
import { FACE_API_MODEL_DIR, loadFaceApi } from '../../edge/src/scoring/emotion/face-api.loader.ts';
import { availableBackends, type TfBackendName } from '../../edge/src/scoring/tf-backend.ts';
import { parseToolArgs } from '../cli-args.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    iterations: { type: 'string', default: '10' },
    core: { type: 'string', default: '1' },
    backend: { type: 'string' },
    backends: { type: 'string' },
    'input-sizes': { type: 'string', default: '224,256,320' },
    classifier: { type: 'string' },
    /** The trained head's folder (default models/emotion), to compare two heads back to back. */
    model: { type: 'string' },
  },
});
const PINNED = 'ANJU_BENCH_PINNED';
const self = [...process.execArgv, process.argv[1]!];
// The RSS readings are taken after a full GC, so garbage does not count as the pipeline's.
const gcFlag = process.execArgv.includes('--expose-gc') ? [] : ['--expose-gc'];

if (!args.backend) {
  if (!process.env[PINNED]) {
    if (spawnSync('taskset', ['-c', args.core, 'true']).status === 0) {
      const r = spawnSync(
        'taskset',
        ['-c', args.core, process.execPath, ...gcFlag, ...self, ...process.argv.slice(2)],
        {
          stdio: 'inherit',
          env: { ...process.env, [PINNED]: `taskset -c ${args.core}` },
        },
      );
      process.exit(r.status ?? 1);
    }
    console.log('# taskset not available: running unpinned');
  } else console.log(`# pinned: ${process.env[PINNED]}`);
  const wanted = args.backends?.split(',');
  for (const b of await availableBackends()) {
    if (wanted && !wanted.includes(b)) continue;
    spawnSync(process.execPath, [...gcFlag, ...self, ...process.argv.slice(2), '--backend', b], {
      stdio: 'inherit',
    });
  }
  process.exit(0);
}

const rssMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1e6;
};
const photosDir = join(FACE_API_MODEL_DIR, '..', 'demo');
const photos = readdirSync(photosDir)
  .filter((f) => /^sample\d\.jpg$/.test(f))
  .sort();
const limits = { timeoutMs: 5000, maxImageBytes: 20_000_000, maxPixels: 20_000_000 };
// The frames a camera would give (each photograph letterboxed to 640×480, in plain JS so no tf is loaded yet),
// made before the baseline and held until the last reading: the RSS difference is the pipeline alone.
const frames: Frame[] = photos.map((f) => letterbox(decodeJpeg(readFileSync(join(photosDir, f)), limits, 0)));
const rss0 = rssMb();
const rt = await loadFaceApi([args.backend as TfBackendName]);
if (rt.backend !== args.backend) {
  console.log(`${args.backend}: not available`);
  process.exit(0);
}
const kind = args.classifier === 'shipped' ? 'shipped' : 'trained';
const classifier = await createExpressionClassifier(rt, kind, args.model ?? EMOTION_MODEL_DIR).catch(() =>
  createExpressionClassifier(rt, 'shipped'),
);
const simd = rt.backend === 'wasm' ? await rt.tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : undefined;
console.log(
  `${args.backend}: classifier ${classifier.kind} ${classifier.version}${simd === undefined ? '' : `, wasm SIMD ${simd}`}`,
);

const q = (times: number[], p: number) => {
  const s = [...times].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
let rssAdded: number | undefined;
for (const inputSize of args['input-sizes'].split(',').map(Number)) {
  const analyser = createFaceAnalyser(rt, classifier, { ...DEFAULT_ANALYSER, inputSize });
  const found: number[] = [];
  const tops: string[] = [];
  for (const f of frames) {
    const faces = await analyser.analyse(f);
    found.push(faces.length);
    tops.push(faces.map((x) => topEmotion(x.expression)).join(','));
  }
  const times: number[] = [];
  for (let it = 0; it < Number(args.iterations); it++)
    for (const f of frames) {
      const t0 = performance.now();
      await analyser.analyse(f);
      times.push(performance.now() - t0);
    }
  // The detector alone on the same frames, to split the cost.
  const detectTimes: number[] = [];
  for (const f of frames) {
    const t0 = performance.now();
    await analyser.detect(f);
    detectTimes.push(performance.now() - t0);
  }
  // The classifier alone: a batch of 1 and of 4 faces (112×112 crops).
  const perFace: Record<number, number> = {};
  for (const n of [1, 4]) {
    const crops = rt.tf.randomUniform([n, 112, 112, 3], 0, 255, 'float32', 7);
    await classifier.classify(crops as never);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await classifier.classify(crops as never);
    perFace[n] = (performance.now() - t0) / 5 / n;
    crops.dispose();
  }
  rssAdded ??= rssMb() - rss0;
  console.log(
    `  inputSize ${inputSize}: faces found ${found.join(', ')} = ${found.reduce((a, b) => a + b, 0)} (of 22 counted by eye); ${tops.join(' | ')}`,
  );
  console.log(
    `    per frame (detect + classify): median ${q(times, 0.5).toFixed(1)} ms, p99 ${q(times, 0.99).toFixed(1)} ms over ${times.length} frames; detector alone median ${q(detectTimes, 0.5).toFixed(1)} ms; classifier ${perFace[1]!.toFixed(1)} ms a face alone, ${perFace[4]!.toFixed(1)} ms a face in fours`,
  );
}
console.log(
  `  RSS added by the pipeline: ${rssAdded?.toFixed(0)} MB (face-api, models, analyser; same ${frames.length} frames held at both readings, after GC)`,
);

/** Scales a decoded photo into a 640×480 frame, aspect kept, black bars (what ffmpeg gives for RTSP cameras). */
function letterbox(src: Frame, W = 640, H = 480): Frame {
  const scale = Math.min(W / src.width, H / src.height);
  const w = Math.round(src.width * scale);
  const h = Math.round(src.height * scale);
  const left = Math.floor((W - w) / 2);
  const top = Math.floor((H - h) / 2);
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < h; y++) {
    // Box-average the source pixels that fall into this one (a photo is 3× larger: no aliasing).
    const sy0 = Math.floor(y / scale);
    const sy1 = Math.max(sy0 + 1, Math.floor((y + 1) / scale));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor(x / scale);
      const sx1 = Math.max(sx0 + 1, Math.floor((x + 1) / scale));
      const o = ((top + y) * W + left + x) * 3;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let sy = sy0; sy < sy1; sy++)
          for (let sx = sx0; sx < sx1; sx++) sum += src.rgb[(sy * src.width + sx) * 3 + c]!;
        rgb[o + c] = Math.round(sum / ((sy1 - sy0) * (sx1 - sx0)));
      }
    }
  }
  return { width: W, height: H, rgb, atMs: 0 };
}
