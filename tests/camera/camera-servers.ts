import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../tools/harness/net.ts';

const require = createRequire(import.meta.url);

/** Real photographs of people shipped in @vladmandic/face-api's demo folder (six JPEGs). */
export const DEMO_PHOTOS_DIR = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** An HTTP snapshot camera on loopback whose answer the test picks per path; counts every request. */
export async function startSnapshotServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    n += 1;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => n,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * A real RTSP server on loopback (npm rtsp-streaming-server: RTSP/RTP over UDP, Basic/Digest auth through a
 * hook) with a stream published into it by ffmpeg: a slideshow made at test time from real photographs.
 */
export async function startRtspServer(o: { user: string; password: string }) {
  const RtspServer = require('rtsp-streaming-server').default;
  const serverPort = await freePort();
  const clientPort = await freePort();
  const rtpPortStart = 20_000 + 2 * Math.floor(Math.random() * 15_000);
  const server = new RtspServer({
    serverPort,
    clientPort,
    rtpPortStart,
    rtpPortCount: 40,
    clientServerHooks: { authentication: async (u: string, p: string) => u === o.user && p === o.password },
  });
  await server.start();
  /** The ffmpeg publishing each path. */
  const publishers = new Map<string, ChildProcess>();
  const mountUri = (path: string) => `rtsp://127.0.0.1:${serverPort}/${path}`;
  /**
   * The camera's stream goes away: its publisher is killed and the server forgets the mount (as a camera
   * that restarts does), so the path can be published again. Without the second step the server keeps the
   * dead mount and refuses every later publish of the path (503).
   */
  const unpublish = (path: string) => {
    publishers.get(path)?.kill('SIGKILL');
    publishers.delete(path);
    server.Mounts.deleteMount(mountUri(path));
  };
  return {
    clientUrl: (path: string, user = o.user, password = o.password) =>
      `rtsp://${user}:${password}@127.0.0.1:${clientPort}/${path}`,
    /** Publishes `video` on `path` in a loop until `stopPublishing` (a path already published starts over). */
    async publish(path: string, video: string): Promise<void> {
      if (publishers.has(path)) unpublish(path);
      // The server refuses (503) an ANNOUNCE for a path it still holds, so a stale mount must not pass for
      // the new one: wait for a mount other than the one there before.
      const stale = server.Mounts.getMount(mountUri(path));
      const p = spawn(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-re',
          '-stream_loop',
          '-1',
          '-i',
          video,
          '-c',
          'copy',
          '-f',
          'rtsp',
          mountUri(path),
        ],
        { stdio: 'ignore' },
      );
      publishers.set(path, p);
      // Published once the server holds the mount and ffmpeg's RECORD set up its RTP listeners.
      const recording = () => {
        const mount = server.Mounts.getMount(mountUri(path));
        const streams = Object.values(mount?.streams ?? {}) as { listenerRtp?: unknown }[];
        return mount !== stale && streams.length > 0 && streams.every((st) => st.listenerRtp !== undefined);
      };
      await waitFor(recording, 30_000, `ffmpeg publishing ${path}`);
    },
    stopPublishing() {
      for (const path of [...publishers.keys()]) unpublish(path);
    },
    async close() {
      for (const p of publishers.values()) p.kill('SIGKILL');
      publishers.clear();
      // The package has no stop(): close its two RTSP listeners (connections end with the test process).
      server.ClientServer.server.close();
      server.PublishServer.server.close();
    },
  };
}

/** An H.264 video made from the demo photographs (1 photo a second, 640×480, 10 fps) with Debian's ffmpeg. */
export async function makeSlideshow(out: string): Promise<void> {
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-framerate',
    '1',
    '-pattern_type',
    'glob',
    '-i',
    join(DEMO_PHOTOS_DIR, 'sample*.jpg'),
    '-vf',
    'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,fps=10',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '10',
    out,
  ]);
}
