import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CameraError, type FrameLimits, type FrameSource } from './frame.ts';
import { decodeJpeg } from './jpeg-decode.ts';

/**
 * A folder of JPEG images, read in name order and round again: for a camera that drops snapshots into a
 * share, and for demos and replays. The folder is listed afresh on each pass, so new images are picked up.
 */
export function folderSource(dir: string, limits: FrameLimits, now: () => number): FrameSource {
  let files: string[] = [];
  let i = 0;
  return {
    kind: 'folder',
    async read() {
      if (i >= files.length) {
        try {
          files = (await readdir(dir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
        } catch (err) {
          throw new CameraError('unreachable', `cannot list ${dir}: ${(err as NodeJS.ErrnoException).code}`);
        }
        i = 0;
        if (files.length === 0) throw new CameraError('no_frames', `no .jpg images in ${dir}`);
      }
      const file = files[i++] as string;
      let bytes: Buffer;
      try {
        bytes = await readFile(join(dir, file));
      } catch (err) {
        throw new CameraError('unreachable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code}`);
      }
      return decodeJpeg(bytes, limits, now());
    },
    async close() {},
  };
}
