import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Tf } from '../../edge/src/scoring/tf-backend.ts';
import { type FaceFile, readCrop } from './dataset.ts';

/** Gitignored (.data/): features of the frozen network, computed once, so the head trains in seconds. */
export const CACHE_DIR = new URL('../../.data/cache/emotion/', import.meta.url).pathname;

/** Files per cache chunk: a killed run keeps what it finished, and shards of one run share the work. */
const CHUNK = 512;

export interface FeatureSet {
  files: FaceFile[];
  dim: number;
  /** files.length × dim, row i = files[i]. */
  x: Float32Array;
  /** The same crops mirrored left-right (training augmentation; also test-time averaging). */
  xFlip: Float32Array;
  /** How long computing the features took (from each chunk's record), or undefined if a chunk has none. */
  extraction: ExtractionTiming | undefined;
}

/** Written next to each chunk when it is computed (chunk-KEY.json), so a later run can report the cost. */
interface ChunkTiming {
  faces: number;
  startedAt: number;
  endedAt: number;
  /** 1-minute load average when the chunk was done (the machine is shared). */
  load: number;
}

export interface ExtractionTiming {
  /** Which nets ran (the cache key's extractor, e.g. face-api-1.7.15/expr+landmark). */
  extractor: string;
  chunks: number;
  faces: number;
  /** First chunk's start to last chunk's end: wall time, shards in parallel included. */
  wallSeconds: number;
  /** The chunks' own times added up (> wall when shards ran in parallel). */
  chunkSeconds: number;
  from: string;
  to: string;
  load: [number, number];
}

/**
 * The frozen network's features of every file, chunk by chunk from the cache when the chunk's files and the
 * extractor match, else computed in batches (progress on stderr) and cached. Unreadable crops get a zero row.
 * `shard` [k, n]: compute only chunks with index % n === k and return undefined (parallel extraction runs);
 * without it, every chunk is loaded or computed and the whole set returned.
 */
export async function featuresOf(
  tf: Tf,
  extract: (crops: Tensor4D) => Promise<Tensor2D>,
  files: FaceFile[],
  extractor: string,
  shard?: [number, number],
): Promise<FeatureSet | undefined> {
  const chunks: { x: Float32Array; xFlip: Float32Array; dim: number }[] = [];
  const timings: (ChunkTiming | undefined)[] = [];
  const t0 = Date.now();
  let done = 0;
  for (let c = 0; c * CHUNK < files.length; c++) {
    const part = files.slice(c * CHUNK, (c + 1) * CHUNK);
    if (shard && c % shard[1] !== shard[0]) continue;
    const key = createHash('sha256')
      .update(extractor)
      .update('flip')
      .update(part.map((f) => `${f.label}/${f.name}`).join('\n'))
      .digest('hex')
      .slice(0, 16);
    const file = join(CACHE_DIR, `chunk-${key}.bin`);
    const timingFile = join(CACHE_DIR, `chunk-${key}.json`);
    let chunk: { x: Float32Array; xFlip: Float32Array; dim: number };
    if (existsSync(file)) {
      if (shard) continue;
      const buf = readFileSync(file);
      const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const dim = all.length / part.length / 2;
      chunk = { x: all.subarray(0, part.length * dim), xFlip: all.subarray(part.length * dim), dim };
      timings.push(
        existsSync(timingFile) ? (JSON.parse(readFileSync(timingFile, 'utf8')) as ChunkTiming) : undefined,
      );
    } else {
      const startedAt = Date.now();
      chunk = await computeChunk(tf, extract, part);
      const timing: ChunkTiming = { faces: part.length, startedAt, endedAt: Date.now(), load: loadavg()[0]! };
      timings.push(timing);
      mkdirSync(CACHE_DIR, { recursive: true });
      // Written piecewise and renamed, so a killed run leaves no half file.
      const fd = openSync(`${file}.part`, 'w');
      for (const a of [chunk.x, chunk.xFlip])
        for (let o = 0; o < a.byteLength; o += 1 << 26)
          writeSync(fd, new Uint8Array(a.buffer, a.byteOffset + o, Math.min(1 << 26, a.byteLength - o)));
      closeSync(fd);
      renameSync(`${file}.part`, file);
      writeFileSync(timingFile, `${JSON.stringify(timing)}\n`);
    }
    done += part.length;
    process.stderr.write(
      `features: chunk ${c} (${done} faces${shard ? ` in shard ${shard[0]}/${shard[1]}` : ` of ${files.length}`}, ${Math.round((Date.now() - t0) / 1000)} s, ${extractor})\n`,
    );
    if (!shard) chunks.push(chunk);
  }
  if (shard) return undefined;
  const dim = chunks[0]!.dim;
  const x = new Float32Array(files.length * dim);
  const xFlip = new Float32Array(files.length * dim);
  chunks.forEach((ch, c) => {
    x.set(ch.x, c * CHUNK * dim);
    xFlip.set(ch.xFlip, c * CHUNK * dim);
  });
  return { files, dim, x, xFlip, extraction: summarise(timings, extractor) };
}

function summarise(timings: (ChunkTiming | undefined)[], extractor: string): ExtractionTiming | undefined {
  if (timings.length === 0 || timings.some((t) => t === undefined)) return undefined;
  const ts = timings as ChunkTiming[];
  const from = Math.min(...ts.map((t) => t.startedAt));
  const to = Math.max(...ts.map((t) => t.endedAt));
  const loads = ts.map((t) => t.load);
  return {
    extractor,
    chunks: ts.length,
    faces: ts.reduce((a, t) => a + t.faces, 0),
    wallSeconds: Math.round((to - from) / 1000),
    chunkSeconds: Math.round(ts.reduce((a, t) => a + t.endedAt - t.startedAt, 0) / 1000),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    load: [Math.min(...loads), Math.max(...loads)],
  };
}

async function computeChunk(
  tf: Tf,
  extract: (crops: Tensor4D) => Promise<Tensor2D>,
  files: FaceFile[],
): Promise<{ x: Float32Array; xFlip: Float32Array; dim: number }> {
  const batch = 64;
  const rows: Float32Array[] = [];
  const flips: Float32Array[] = [];
  let dim = 0;
  for (let i = 0; i < files.length; i += batch) {
    const part = files.slice(i, i + batch);
    const crops = part.map((f) => readCrop(f.path));
    const ok = crops.find((c) => c !== undefined)!;
    const input = tf.tidy(() =>
      tf.stack(
        crops.map((c) =>
          c && c.width === ok.width && c.height === ok.height
            ? tf.tensor3d(c.rgb, [c.height, c.width, 3], 'float32')
            : tf.zeros([ok.height, ok.width, 3]),
        ),
      ),
    );
    const flipped = tf.tidy(() => tf.reverse(input, 2));
    for (const [t, out] of [
      [input, rows],
      [flipped, flips],
    ] as [typeof input, Float32Array[]][]) {
      const f = await extract(t as never);
      dim = f.shape[1];
      const data = (await f.data()) as Float32Array;
      f.dispose();
      crops.forEach((c, j) => {
        out.push(c ? data.slice(j * dim, (j + 1) * dim) : new Float32Array(dim));
      });
    }
    tf.dispose([input, flipped]);
  }
  const x = new Float32Array(files.length * dim);
  const xFlip = new Float32Array(files.length * dim);
  rows.forEach((r, i) => {
    x.set(r, i * dim);
  });
  flips.forEach((r, i) => {
    xFlip.set(r, i * dim);
  });
  return { x, xFlip, dim };
}
