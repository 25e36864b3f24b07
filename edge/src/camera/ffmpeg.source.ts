import { type ChildProcess, spawn } from 'node:child_process';
import { CameraError, type Frame, type FrameLimits, type FrameSource } from './frame.ts';

export interface FfmpegSourceOptions {
  /** `rtsp://…` or `v4l2:///dev/video0`. */
  url: string;
  /** One frame every this many ms: ffmpeg drops the rest before they reach the gateway. */
  frameIntervalMs: number;
  width: number;
  height: number;
  limits: FrameLimits;
  now: () => number;
  ffmpegPath?: string;
}

/**
 * RTSP and V4L2 cameras through an `ffmpeg` child process: ffmpeg decodes the stream, keeps one frame per
 * interval, scales it to width × height (letterboxed) and writes raw RGB to its stdout pipe. Only the
 * newest frame is held; nothing touches the disk. The process starts at the first read, and `close` ends
 * it. A stream that ends is `stream_ended`; one that stays open without frames is `stalled`.
 */
export function ffmpegSource(o: FfmpegSourceOptions): FrameSource {
  const frameBytes = o.width * o.height * 3;
  let child: ChildProcess | undefined;
  let latest: Frame | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let ended: CameraError | undefined;
  let stderrTail = '';
  let wake: (() => void) | undefined;
  let framesSeen = 0;

  const start = () => {
    ended = undefined;
    latest = undefined;
    framesSeen = 0;
    pending = [];
    pendingBytes = 0;
    stderrTail = '';
    const proc = spawn(o.ffmpegPath ?? 'ffmpeg', ffmpegArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= frameBytes) {
        const all = Buffer.concat(pending);
        latest = {
          width: o.width,
          height: o.height,
          rgb: new Uint8Array(all.subarray(0, frameBytes)),
          atMs: o.now(),
        };
        const rest = all.subarray(frameBytes);
        pending = rest.length > 0 ? [Buffer.from(rest)] : [];
        pendingBytes = rest.length;
        framesSeen += 1;
        wake?.();
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-600);
    });
    proc.on('error', (err: NodeJS.ErrnoException) => {
      ended = new CameraError('unreachable', err.code === 'ENOENT' ? 'ffmpeg is not installed' : err.message);
      wake?.();
    });
    proc.on('exit', (code, sig) => {
      if (child === proc) child = undefined;
      ended ??= exitError(stderrTail, code, sig);
      wake?.();
    });
  };

  return {
    kind: 'ffmpeg',
    async read(signal) {
      if (!child && !ended) start();
      const opened = framesSeen > 0;
      // The first frame also waits for the connection and ffmpeg's stream probe.
      const waitMs = o.frameIntervalMs + o.limits.timeoutMs * (opened ? 1 : 2);
      const frame = await new Promise<Frame>((resolve, reject) => {
        const settle = () => {
          if (latest) {
            const f = latest;
            latest = undefined;
            done();
            resolve(f);
          } else if (ended) {
            const e = ended;
            ended = undefined;
            done();
            reject(e);
          }
        };
        const onAbort = () => {
          done();
          reject(new CameraError('timeout', 'read cancelled'));
        };
        const timer = setTimeout(() => {
          done();
          reject(new CameraError('stalled', `no frame from the stream in ${waitMs} ms`));
        }, waitMs);
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          signal.removeEventListener('abort', onAbort);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        wake = settle;
        settle();
      });
      return frame;
    },
    async close() {
      const proc = child;
      child = undefined;
      latest = undefined;
      pending = [];
      pendingBytes = 0;
      ended = undefined;
      if (!proc || proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => proc.kill('SIGKILL'), 2000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    },
  };
}

export function ffmpegArgs(
  o: Pick<FfmpegSourceOptions, 'url' | 'frameIntervalMs' | 'width' | 'height' | 'limits'>,
) {
  const input = o.url.startsWith('v4l2://')
    ? ['-f', 'v4l2', '-i', new URL(o.url).pathname]
    : [
        // No -rtsp_transport: ffmpeg tries UDP and falls back to TCP interleaved, so both kinds of camera work.
        // Socket I/O timeout in µs: a camera that stops answering ends ffmpeg instead of hanging it.
        '-timeout',
        String(o.limits.timeoutMs * 1000),
        // A short stream probe: the first frame in about a second rather than five.
        '-analyzeduration',
        '500000',
        '-probesize',
        '200000',
        '-i',
        o.url,
      ];
  const fps = `fps=${1000}/${o.frameIntervalMs}`;
  const scale = `scale=${o.width}:${o.height}:force_original_aspect_ratio=decrease,pad=${o.width}:${o.height}:(ow-iw)/2:(oh-ih)/2`;
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...input,
    '-an',
    '-vf',
    `${fps},${scale}`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}

/** What ffmpeg's last words mean for an installer. */
function exitError(stderr: string, code: number | null, sig: NodeJS.Signals | null): CameraError {
  const s = stderr.replace(/rtsp:\/\/[^@\s]*@/g, 'rtsp://***@');
  const last = s.trim().split('\n').pop()?.slice(0, 200) ?? '';
  if (/401|Unauthorized/i.test(s)) return new CameraError('auth', 'RTSP 401: wrong user name or password');
  if (/404|Not Found/i.test(s)) return new CameraError('not_found', 'RTSP 404: no stream at this path');
  if (/Connection refused|No route|Network is unreachable|Name or service/i.test(s))
    return new CameraError('unreachable', last || 'connection refused');
  if (/timed out|Timeout/i.test(s)) return new CameraError('timeout', last || 'the camera stopped answering');
  if (/No such file|Cannot open|Inappropriate ioctl/i.test(s)) return new CameraError('not_found', last);
  return new CameraError('stream_ended', `stream ended (ffmpeg ${code ?? sig})${last ? `: ${last}` : ''}`);
}
