import { ffmpegSource } from './ffmpeg.source.ts';
import { folderSource } from './folder.source.ts';
import type { FrameLimits, FrameSource } from './frame.ts';
import { httpSnapshotSource } from './http-snapshot.source.ts';

/** The driver a camera URL names: http(s) snapshot, rtsp/v4l2 through ffmpeg, or file:// a folder of images. */
export function openFrameSource(o: {
  url: string;
  frameIntervalMs: number;
  width: number;
  height: number;
  limits: FrameLimits;
  now: () => number;
}): FrameSource {
  const protocol = new URL(o.url).protocol;
  if (protocol === 'http:' || protocol === 'https:') return httpSnapshotSource(o.url, o.limits, o.now);
  if (protocol === 'file:') return folderSource(new URL(o.url).pathname, o.limits, o.now);
  if (protocol === 'rtsp:' || protocol === 'v4l2:') return ffmpegSource(o);
  throw new Error(`no camera driver for ${protocol}`);
}
