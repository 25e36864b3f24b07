import { CameraError, type FrameLimits, type FrameSource } from './frame.ts';
import { decodeJpeg } from './jpeg-decode.ts';

/**
 * A camera's HTTP snapshot URL (most IP cameras: `http://user:pass@cam/snapshot.jpg`): one GET per frame.
 * Credentials in the URL go into a Basic Authorization header (fetch refuses them in the URL) and never
 * into a log. The body is read up to `maxImageBytes` and then abandoned, so a huge answer costs no memory.
 */
export function httpSnapshotSource(url: string, limits: FrameLimits, now: () => number): FrameSource {
  const u = new URL(url);
  const headers: Record<string, string> = { accept: 'image/jpeg' };
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  const target = u.toString();
  return {
    kind: 'http-snapshot',
    async read(signal) {
      const timeout = AbortSignal.timeout(limits.timeoutMs);
      const both = AbortSignal.any([signal, timeout]);
      let res: Response | undefined;
      // A camera may close a kept-alive connection just as the next GET goes out on it (its idle timeout):
      // the request never reached it, so it is asked again; each try drops one dead pooled connection.
      for (let attempt = 1; res === undefined; attempt++) {
        try {
          res = await fetch(target, { headers, signal: both, redirect: 'follow' });
        } catch (err) {
          if (attempt >= MAX_TRIES || both.aborted || !droppedBeforeAnswer(err))
            throw fetchError(err, timeout.aborted, limits.timeoutMs, false);
        }
      }
      try {
        if (res.status === 401 || res.status === 403)
          throw new CameraError('auth', `HTTP ${res.status}: wrong user name or password`);
        if (res.status === 404) throw new CameraError('not_found', 'HTTP 404: no snapshot at this path');
        if (res.status !== 200) throw new CameraError('http_status', `HTTP ${res.status}`);
        const type = res.headers.get('content-type') ?? '';
        if (type && !/^image\/(jpeg|jpg|pjpeg)\b/i.test(type))
          throw new CameraError('not_image', `content type ${type.slice(0, 60)}, not image/jpeg`);
        const declared = Number(res.headers.get('content-length') ?? Number.NaN);
        if (declared > limits.maxImageBytes)
          throw new CameraError('too_large', `image of ${declared} bytes > ${limits.maxImageBytes}`);
        const bytes = await readCapped(res, limits.maxImageBytes, timeout, limits.timeoutMs);
        return decodeJpeg(bytes, limits, now());
      } finally {
        if (!res.bodyUsed) await res.body?.cancel().catch(() => {});
      }
    },
    async close() {},
  };
}

async function readCapped(res: Response, max: number, timeout: AbortSignal, timeoutMs: number) {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > max) throw new CameraError('too_large', `image larger than ${max} bytes`);
      parts.push(value);
    }
  } catch (err) {
    if (err instanceof CameraError) throw err;
    throw fetchError(err, timeout.aborted, timeoutMs, true);
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(parts);
}

/** Tries of one read when the connection drops before any answer (see `read`). */
const MAX_TRIES = 3;

type FetchFailure = Error & { cause?: { code?: string; message?: string } };

/** The connection dropped before any answer came (undici's socket error, or a reset). */
function droppedBeforeAnswer(err: unknown): boolean {
  const code = (err as FetchFailure).cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

/** `inBody`: the answer had begun, so a dropped connection cut the image (corrupt), not the camera off. */
function fetchError(err: unknown, timedOut: boolean, timeoutMs: number, inBody: boolean): CameraError {
  if (timedOut) return new CameraError('timeout', `no answer in ${timeoutMs} ms`);
  const e = err as FetchFailure;
  if (e.name === 'AbortError') return new CameraError('timeout', 'read cancelled');
  if (inBody && (e.cause?.code === 'UND_ERR_SOCKET' || /terminated/i.test(e.message)))
    return new CameraError('corrupt', 'the connection closed mid-image');
  return new CameraError('unreachable', e.cause?.code ?? e.cause?.message ?? e.message);
}
