import { connect } from 'node:net';

export interface CameraProbe {
  ok: boolean;
  /** What the camera answered, for the installer: status line, content type, size. */
  detail: string;
  /** Not reachable at all (connection refused, timeout) as opposed to answering wrongly. */
  unreachable: boolean;
}

/**
 * Asks the camera whether it is there, without decoding any video: an HTTP snapshot URL must answer 200
 * with an image; an RTSP URL must answer an OPTIONS request (RFC 2326 §10.1) with RTSP/1.0 200.
 */
export async function probeCamera(url: string, timeoutMs: number): Promise<CameraProbe> {
  const u = new URL(url);
  return u.protocol === 'rtsp:' ? probeRtsp(u, timeoutMs) : probeHttp(url, timeoutMs);
}

async function probeHttp(url: string, timeoutMs: number): Promise<CameraProbe> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      ok: false,
      unreachable: true,
      detail: e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (e.cause?.code ?? e.message),
    };
  }
  const type = res.headers.get('content-type') ?? 'no content type';
  const bytes = (await res.arrayBuffer()).byteLength;
  const detail = `HTTP ${res.status}, ${type}, ${bytes} bytes`;
  return { ok: res.status === 200 && type.startsWith('image/') && bytes > 0, unreachable: false, detail };
}

function probeRtsp(u: URL, timeoutMs: number): Promise<CameraProbe> {
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 554) });
    let answer = '';
    const done = (p: CameraProbe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(p);
    };
    const timer = setTimeout(
      () => done({ ok: false, unreachable: answer === '', detail: `no answer in ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => {
      // The request URI without credentials: they would only go into an Authorization header.
      const target = `rtsp://${u.host}${u.pathname}${u.search}`;
      socket.write(`OPTIONS ${target} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: anju-gw\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!answer.includes('\r\n\r\n')) return;
      const status = answer.split('\r\n')[0] ?? '';
      const publicLine = /^Public:\s*(.*)$/im.exec(answer)?.[1];
      done({
        ok: /^RTSP\/1\.0 200\b/.test(status),
        unreachable: false,
        detail: `${status}${publicLine ? `; methods: ${publicLine}` : ''}`,
      });
    });
    socket.on('error', (err: Error & { code?: string }) =>
      done({ ok: false, unreachable: true, detail: err.code ?? err.message }),
    );
  });
}
