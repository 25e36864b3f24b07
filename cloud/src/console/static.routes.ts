import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { PACKAGE_ROOT } from '../../../contracts/src/package-root.ts';
import { openRoute } from '../http/http-server.ts';

/** Where `npm run build:console` (vite) writes the app; never committed. */
export const CONSOLE_DIST = join(PACKAGE_ROOT, 'console', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the built console under /console/: files by name (vite's hashed /assets/ cached for a year),
 * every other path the app's index.html (the app routes in the browser). No build: 503 with a clear
 * message, not a blank page. The files are read per request (a few KB; the OS caches them), so a
 * rebuild needs no restart.
 */
export function consoleStaticRoutes(dist = CONSOLE_DIST): FastifyPluginAsync {
  const root = normalize(join(dist, sep)); // with the trailing separator: `dist-x/` is not inside
  const notBuilt = (reply: FastifyReply) =>
    reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send(
        'The web console has not been built on this server. Run `npm run build:console` (or `npm test`) ' +
          'and reload.\n控制台尚未构建：请运行 npm run build:console 后刷新。\n',
      );

  const send = async (reply: FastifyReply, rel: string) => {
    const index = join(root, 'index.html');
    let file = normalize(join(root, rel));
    // `..` cannot leave the build folder (normalize, then the prefix check).
    if (!file.startsWith(root) || rel === '' || rel.endsWith('/')) file = index;
    let isFile = false;
    try {
      isFile = (await stat(file)).isFile();
    } catch {}
    if (!isFile) file = index;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return notBuilt(reply);
    }
    const hashed = file.startsWith(join(root, 'assets') + sep);
    return reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
      )
      .send(body);
  };

  return async (app) => {
    const schema = { ...openRoute, hide: true };
    app.get('/', { schema }, (_req, reply) => reply.redirect('/console/'));
    app.get('/console', { schema }, (_req, reply) => reply.redirect('/console/'));
    app.get<{ Params: { '*': string } }>('/console/*', { schema }, (req, reply) =>
      send(reply, req.params['*']),
    );
  };
}
