/**
 * One camera frame, decoded, in memory only: RGB, 3 bytes a pixel, row by row. Frames are never written to
 * disk, logged or sent; the analyser reads them and they are dropped.
 */
export interface Frame {
  width: number;
  height: number;
  /** width × height × 3 bytes, RGB. */
  rgb: Uint8Array;
  /** When it was taken (gateway clock, ms). */
  atMs: number;
}

/** Why a read failed, in words an installer can act on; the code is what `anju-gw status` counts. */
export type CameraErrorCode =
  | 'auth' // 401/403: wrong user name or password
  | 'timeout' // no answer or no frame in time
  | 'unreachable' // connection refused, DNS, network down
  | 'not_found' // 404: wrong snapshot path
  | 'http_status' // another non-200 answer
  | 'not_image' // the answer is not a JPEG (an HTML login page, …)
  | 'too_large' // the image is larger than camera.maxImageBytes / maxPixels
  | 'corrupt' // a truncated or undecodable JPEG
  | 'stream_ended' // the RTSP/V4L2 stream ended (ffmpeg exited)
  | 'stalled' // the stream is open but frames stopped coming
  | 'no_frames'; // a folder source with no images

export class CameraError extends Error {
  override readonly name = 'CameraError';
  constructor(
    readonly code: CameraErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads frames from one camera. `read` waits for the next frame; `close` releases what `read` opened. */
export interface FrameSource {
  readonly kind: 'http-snapshot' | 'ffmpeg' | 'folder';
  read(signal: AbortSignal): Promise<Frame>;
  close(): Promise<void>;
}

/** Limits every source applies to what a camera sends, so a bad camera cannot take the gateway's memory. */
export interface FrameLimits {
  timeoutMs: number;
  maxImageBytes: number;
  maxPixels: number;
}
