import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP reverse proxy on loopback that can turn into a man in the middle: while `tamper` returns
 * true for a request path, the response body is forwarded with one byte flipped (same length, same
 * headers). For proving that a gateway checks what it downloads, not that the cloud served it honestly.
 */
export async function startTamperingProxy(): Promise<{
  url: string;
  /** Where requests go; set once the upstream's port is known. */
  target: { url: string };
  tamper: (path: string) => boolean;
  setTamper(fn: (path: string) => boolean): void;
  tampered: string[];
  close(): Promise<void>;
}> {
  const state = {
    target: { url: '' },
    tamper: (_path: string) => false,
    tampered: [] as string[],
  };
  const server = createServer((req, res) => {
    const upstream = new URL(req.url ?? '/', state.target.url);
    const out = request(upstream, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        if (up.statusCode === 200 && body.length > 0 && state.tamper(upstream.pathname)) {
          const at = Math.floor(body.length / 2);
          body[at] = body[at]! ^ 0xff;
          state.tampered.push(upstream.pathname);
        }
        const headers = { ...up.headers };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(body.length);
        res.writeHead(up.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    target: state.target,
    get tamper() {
      return state.tamper;
    },
    setTamper(fn) {
      state.tamper = fn;
    },
    tampered: state.tampered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
