import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { EMOTIONS, type Emotion } from '../../edge/src/scoring/emotion/expressions.ts';
import { rng, shuffle } from '../fall/recordings.ts';

/** The labelled faces, read where they are (../shared/datasets/faces): never copied into the repository. */
export const FACES_DIR = new URL('../../../shared/datasets/faces/', import.meta.url).pathname;

export interface FaceFile {
  path: string;
  name: string;
  label: Emotion;
  /** FER2013's part from the file name: Training, PublicTest, PrivateTest, or other. */
  part: string;
}

/** Every face image of a folder in the faces format (`<class>/<file>.jpg`), in a stable order. */
export function listFaces(dir: string): FaceFile[] {
  const out: FaceFile[] = [];
  for (const label of EMOTIONS) {
    let files: string[];
    try {
      files = readdirSync(join(dir, label));
    } catch {
      continue; // a folder without this class
    }
    for (const name of files.filter((f) => /\.(jpe?g|png)$/i.test(f)).sort())
      out.push({
        path: join(dir, label, name),
        name,
        label,
        part: /^([A-Za-z]+)_/.exec(name)?.[1] ?? 'other',
      });
  }
  return out;
}

/**
 * The faces in the order the tools cache their features: per class, per part (Training, PublicTest), a seeded
 * shuffle, cut to a per-part cap (0 = all). The feature cache is keyed by its chunks' files, so every tool that
 * reads it must list the faces the same way.
 */
export function orderFaces(all: FaceFile[], seed: number, caps: Record<string, number> = {}): FaceFile[] {
  const r = rng(seed + 100);
  const out: FaceFile[] = [];
  for (const label of EMOTIONS)
    for (const part of ['Training', 'PublicTest']) {
      const pool = shuffle(
        all.filter((f) => f.label === label && f.part === part),
        r,
      );
      const cap = caps[part] ?? 0;
      out.push(...(cap ? pool.slice(0, cap) : pool));
    }
  return out;
}

/** One crop decoded to RGB bytes (gray copied to three channels by the decoder); undefined when unreadable. */
export function readCrop(path: string): { width: number; height: number; rgb: Uint8Array } | undefined {
  try {
    const r = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 4 });
    if (r.data.length !== r.width * r.height * 3) return undefined;
    return { width: r.width, height: r.height, rgb: r.data };
  } catch {
    return undefined;
  }
}
