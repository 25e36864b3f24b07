import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from './frame.ts';
import { decodeJpeg } from './jpeg-decode.ts';
import { StillSceneGate, thumbnail } from './still-scene.ts';

// Real photographs (face-api's demo folder): one stands for the room, another for someone coming in.
const demo = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
  'demo',
);
const limits = { timeoutMs: 1000, maxImageBytes: 5_000_000, maxPixels: 10_000_000 };
const photo = (n: number, atMs = 0) => decodeJpeg(readFileSync(join(demo, `sample${n}.jpg`)), limits, atMs);
const at = (f: Frame, atMs: number): Frame => ({ ...f, atMs });

/** The room with camera noise: every byte moved by up to ±amp (a fixed pseudo-random sequence). */
function noisy(f: Frame, amp: number): Frame {
  const rgb = Uint8Array.from(f.rgb);
  let s = 7;
  for (let i = 0; i < rgb.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    rgb[i] = Math.max(0, Math.min(255, (rgb[i] ?? 0) + ((s >>> 16) % (2 * amp + 1)) - amp));
  }
  return { ...f, rgb };
}

/** A w×h part of a frame from (x, y). */
function crop(f: Frame, x: number, y: number, w: number, h: number): Frame {
  const rgb = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++)
    rgb.set(f.rgb.subarray(((y + r) * f.width + x) * 3, ((y + r) * f.width + x + w) * 3), r * w * 3);
  return { width: w, height: h, rgb, atMs: f.atMs };
}

/** `into` with `patch` pasted at (x, y): a small part of the picture changed. */
function paste(into: Frame, patch: Frame, x: number, y: number): Frame {
  const rgb = Uint8Array.from(into.rgb);
  for (let r = 0; r < patch.height; r++)
    rgb.set(
      patch.rgb.subarray(r * patch.width * 3, (r + 1) * patch.width * 3),
      ((y + r) * into.width + x) * 3,
    );
  return { ...into, rgb };
}

describe('still scene gate', () => {
  const room = photo(2);
  const gateAfterEmpty = (o = { minCellChange: 12, maxSkipMs: 60_000 }) => {
    const gate = new StillSceneGate(o);
    const t = thumbnail(room);
    expect(gate.shouldAnalyse(room, t)).toBe(true); // nothing seen yet
    gate.analysed(room, t, 0);
    return gate;
  };
  const asks = (gate: StillSceneGate, f: Frame) => gate.shouldAnalyse(f, thumbnail(f));

  it('skips the same empty room again, camera noise included', () => {
    const gate = gateAfterEmpty();
    expect(asks(gate, at(room, 2000))).toBe(false);
    expect(asks(gate, at(noisy(room, 6), 4000))).toBe(false);
  });

  it('analyses when a face-sized part of the picture changes, even in a corner', () => {
    const gate = gateAfterEmpty();
    const visitor = photo(1);
    // The smallest face the detector finds is ~20 px of its 320 px input: 1/16 of the frame's width.
    const side = Math.round(room.width / 16);
    const face = crop(visitor, Math.round(visitor.width / 2), Math.round(visitor.height / 3), side, side);
    expect(asks(gate, at(paste(room, face, room.width - side, room.height - side), 2000))).toBe(true);
    expect(asks(gate, at(visitor, 2000))).toBe(true);
  });

  it('analyses every frame after one with faces, at least every maxSkipMs, and always with maxSkipMs 0', () => {
    const withFaces = new StillSceneGate();
    const t = thumbnail(room);
    withFaces.analysed(room, t, 2);
    expect(asks(withFaces, at(room, 2000))).toBe(true);

    const gate = gateAfterEmpty();
    expect(asks(gate, at(room, 59_999))).toBe(false);
    expect(asks(gate, at(room, 60_000))).toBe(true);

    expect(asks(gateAfterEmpty({ minCellChange: 12, maxSkipMs: 0 }), at(room, 2000))).toBe(true);
  });

  it('compares frames of any size on the same 32 × 24 grid', () => {
    expect(thumbnail(room)).toHaveLength(32 * 24);
    const tiny: Frame = { width: 5, height: 3, rgb: new Uint8Array(5 * 3 * 3).fill(200), atMs: 0 };
    expect(thumbnail(tiny).every((v) => Math.abs(v - 200) < 1e-3)).toBe(true);
  });
});
