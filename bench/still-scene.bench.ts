/**
 * `npx tsx bench/still-scene.bench.ts [--iterations N]` — what the still-scene gate (edge/src/camera/still-scene.ts)
 * costs per frame: the 32 × 24 thumbnail and the comparison, on a real photograph at the gateway's RTSP size
 * (640 × 480) and as a 1920 × 1280 snapshot; compare with the face detector's ~33 ms a frame (docs/camera.md).
 * Pin a core for edge figures: `taskset -c 1 npx tsx bench/still-scene.bench.ts`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Frame } from '../edge/src/camera/frame.ts';
import { decodeJpeg } from '../edge/src/camera/jpeg-decode.ts';
import { StillSceneGate, thumbnail } from '../edge/src/camera/still-scene.ts';
import { numberOption, parseToolArgs } from '../tools/cli-args.ts';

const args = parseToolArgs(import.meta.url, { options: { iterations: { type: 'string', default: '300' } } });
const iterations = numberOption(import.meta.url, 'iterations', args.iterations, 10, 1e6);
const demo = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
  'demo',
);
const big = decodeJpeg(
  readFileSync(join(demo, 'sample2.jpg')),
  { timeoutMs: 1, maxImageBytes: 1e8, maxPixels: 1e8 },
  0,
);

/** Nearest-neighbour scale: the frame ffmpeg would hand over at that size. */
function scaled(f: Frame, width: number, height: number): Frame {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const s = (Math.floor((y * f.height) / height) * f.width + Math.floor((x * f.width) / width)) * 3;
      rgb.set(f.rgb.subarray(s, s + 3), (y * width + x) * 3);
    }
  return { width, height, rgb, atMs: 0 };
}

for (const frame of [scaled(big, 640, 480), big]) {
  const gate = new StillSceneGate();
  gate.analysed(frame, thumbnail(frame), 0);
  const ms: number[] = [];
  for (let k = 0; k < iterations; k++) {
    const t0 = performance.now();
    gate.shouldAnalyse({ ...frame, atMs: k }, thumbnail(frame));
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => (ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0).toFixed(3);
  console.log(
    `still-scene-bench size=${frame.width}x${frame.height} iterations=${iterations} median_ms=${q(0.5)} p99_ms=${q(0.99)}`,
  );
}
