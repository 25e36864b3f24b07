import jpeg from 'jpeg-js';
import { CameraError, type Frame, type FrameLimits } from './frame.ts';

const SOI = [0xff, 0xd8, 0xff];

/** True when the bytes start like a JPEG (SOI marker), whatever the content type said. */
export function looksLikeJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && SOI.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a JPEG to RGB in memory, refusing what is not a JPEG, what would decode to more than
 * `maxPixels`, and what is truncated or corrupt: each is a CameraError with its own code.
 */
export function decodeJpeg(bytes: Uint8Array, limits: FrameLimits, atMs: number): Frame {
  if (!looksLikeJpeg(bytes))
    throw new CameraError('not_image', 'the camera answered something that is not a JPEG');
  if (bytes.length > limits.maxImageBytes)
    throw new CameraError('too_large', `image of ${bytes.length} bytes > ${limits.maxImageBytes}`);
  // A JPEG must end with EOI; truncated snapshots (a camera rebooting mid-answer) are common.
  if (bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9)
    throw new CameraError('corrupt', 'truncated JPEG (no end-of-image marker)');
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: limits.maxPixels / 1e6,
      // jpeg-js holds per-component buffers besides the output: about 12 bytes a pixel at most.
      maxMemoryUsageInMB: Math.ceil((limits.maxPixels * 12) / 1e6) + 64,
    });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (/maxResolutionInMP|maxMemoryUsage/i.test(msg))
      throw new CameraError('too_large', `image larger than ${limits.maxPixels} pixels`);
    throw new CameraError('corrupt', `undecodable JPEG: ${msg.slice(0, 120)}`);
  }
  if (raw.data.length !== raw.width * raw.height * 3)
    throw new CameraError('corrupt', 'JPEG decoded to an unexpected size');
  return { width: raw.width, height: raw.height, rgb: raw.data, atMs };
}
