/**
 * The emotion pipeline with the real face models (wasm) and real photographs: a dark, unchanged room skips
 * the detector after its first frame, and a person coming into view is analysed at once (camera/still-scene.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startEmotionPipeline } from '../../edge/src/agent/emotion-pipeline.ts';
import type { Frame } from '../../edge/src/camera/frame.ts';
import { decodeJpeg } from '../../edge/src/camera/jpeg-decode.ts';

const demo = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
  'demo',
);
const limits = { timeoutMs: 1000, maxImageBytes: 5_000_000, maxPixels: 10_000_000 };

/** A room with the lights off: 640 × 480 of dark grey. */
const darkRoom = (atMs: number): Frame => ({
  width: 640,
  height: 480,
  rgb: new Uint8Array(640 * 480 * 3).fill(18),
  atMs,
});

describe('emotion pipeline: still scenes', () => {
  it('skips the detector in an unchanged empty room and reads the person who comes in', async () => {
    const pipeline = startEmotionPipeline({
      now: () => Date.now(),
      log: pino({ level: 'silent' }),
      raise: () => {},
    });
    await pipeline.ready;
    const t0 = Date.parse('2026-12-04T09:00:00Z');
    expect(await pipeline.analyse('living', darkRoom(t0))).toBe(0);
    expect(await pipeline.analyse('living', darkRoom(t0 + 2000))).toBe(0);
    expect(await pipeline.analyse('living', darkRoom(t0 + 4000))).toBe(0);
    expect(pipeline.framesSkipped()).toBe(2);
    // Another room's camera has its own gate: its first frame is analysed.
    expect(await pipeline.analyse('bedroom', darkRoom(t0 + 4000))).toBe(0);
    expect(pipeline.framesSkipped()).toBe(2);

    const person = decodeJpeg(readFileSync(join(demo, 'sample1.jpg')), limits, t0 + 6000);
    const faces = await pipeline.analyse('living', person);
    expect(faces).toBeGreaterThan(0);
    // After a frame with faces, the same picture is analysed again (someone sitting still is still read).
    expect(await pipeline.analyse('living', { ...person, atMs: t0 + 8000 })).toBe(faces);
    expect(pipeline.framesSkipped()).toBe(2);
  }, 120_000);
});
