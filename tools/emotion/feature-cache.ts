import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpressionClassifier } from '../../edge/src/scoring/emotion/expression-classifier.ts';
import type { Tf } from '../../edge/src/scoring/tf-backend.ts';
import { type FaceFile, readCrop } from './dataset.ts';

/** Gitignored (.data/): features of the frozen network, computed once, so the head trains in seconds. */
export const CACHE_DIR = new URL('../../.data/cache/emotion/', import.meta.url).pathname;

export interface FeatureSet {
  files: FaceFile[];
  dim: number;
  /** files.length × dim, row i = files[i]. */
  x: Float32Array;
  /** The same crops mirrored left-right (training augmentation; also test-time averaging). */
  xFlip: Float32Array;
}

/**
 * The frozen network's features of every file, from the cache when the file list and extractor match, else
 * computed in batches (progress on stderr) and cached. Unreadable crops get a zero row and are reported.
 */
export async function featuresOf(
  tf: Tf,
  classifier: ExpressionClassifier,
  files: FaceFile[],
  extractor: string,
  flip = true,
): Promise<FeatureSet> {
  const key = createHash('sha256')
    .update(extractor)
    .update(flip ? 'flip' : 'noflip')
    .update(files.map((f) => `${f.label}/${f.name}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const file = join(CACHE_DIR, `features-${key}.bin`);
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const dim = all.length / files.length / (flip ? 2 : 1);
    process.stderr.write(`features: ${files.length} × ${dim} from the cache ${file}\n`);
    return { files, dim, x: all.slice(0, files.length * dim), xFlip: all.slice(files.length * dim) };
  }
  const batch = 64;
  const rows: Float32Array[] = [];
  const flips: Float32Array[] = [];
  let dim = 0;
  const t0 = Date.now();
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
    for (const [t, out] of (flip
      ? [
          [input, rows],
          [flipped, flips],
        ]
      : [[input, rows]]) as [typeof input, Float32Array[]][]) {
      const f = await classifier.features(t as never);
      dim = f.shape[1];
      const data = (await f.data()) as Float32Array;
      f.dispose();
      crops.forEach((c, j) => {
        out.push(c ? data.slice(j * dim, (j + 1) * dim) : new Float32Array(dim));
      });
    }
    tf.dispose([input, flipped]);
    if ((i / batch) % 10 === 0)
      process.stderr.write(
        `features: ${Math.min(files.length, i + batch)}/${files.length} (${Math.round((Date.now() - t0) / 1000)} s)\n`,
      );
  }
  const x = new Float32Array(files.length * dim);
  const xFlip = new Float32Array(flip ? files.length * dim : 0);
  rows.forEach((r, i) => {
    x.set(r, i * dim);
  });
  flips.forEach((r, i) => {
    xFlip.set(r, i * dim);
  });
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, Buffer.concat([Buffer.from(x.buffer), Buffer.from(xFlip.buffer)]));
  return { files, dim, x, xFlip };
}
