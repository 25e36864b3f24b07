import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraReader } from '../../edge/src/camera/camera-reader.ts';
import { ffmpegSource } from '../../edge/src/camera/ffmpeg.source.ts';
import { folderSource } from '../../edge/src/camera/folder.source.ts';
import { CameraError, type FrameLimits } from '../../edge/src/camera/frame.ts';
import { httpSnapshotSource } from '../../edge/src/camera/http-snapshot.source.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { DEMO_PHOTOS_DIR, makeSlideshow, startRtspServer, startSnapshotServer } from './camera-servers.ts';

const log = pino({ level: 'silent' });
const limits: FrameLimits = { timeoutMs: 1500, maxImageBytes: 2_000_000, maxPixels: 5_000_000 };
const photo = readFileSync(join(DEMO_PHOTOS_DIR, 'sample1.jpg'));
const now = () => Date.now();

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof CameraError) return err.code;
    throw err;
  }
}

describe('HTTP snapshot camera against a real HTTP server', () => {
  let cam: Awaited<ReturnType<typeof startSnapshotServer>>;
  const reused = new WeakSet<object>();
  beforeAll(async () => {
    cam = await startSnapshotServer((req, res) => {
      const auth = req.headers.authorization;
      switch (req.url) {
        case '/snapshot.jpg':
          if (auth !== `Basic ${Buffer.from('admin:s3cret').toString('base64')}`) {
            res.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' }).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
          return;
        case '/login.html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login</body></html>');
          return;
        case '/lying.jpg': // says JPEG, sends HTML
          res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<html>Login</html>');
          return;
        case '/truncated.jpg':
          res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo.subarray(0, photo.length / 2));
          return;
        case '/cut.jpg': // promises the whole image, then the connection drops
          res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(photo.length) });
          res.write(photo.subarray(0, 1000), () => res.socket?.destroy());
          return;
        case '/huge.jpg': // streams without a length, far past the limit
          res.writeHead(200, { 'content-type': 'image/jpeg' });
          for (let i = 0; i < 40; i++) res.write(Buffer.alloc(100_000, 0xff));
          res.end();
          return;
        case '/idle-close.jpg': // a camera that drops a kept-alive connection as the next request arrives
          if (reused.has(req.socket)) {
            req.socket.destroy();
            return;
          }
          reused.add(req.socket);
          res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
          return;
        case '/slow.jpg':
          return; // never answers
        default:
          res.writeHead(404).end();
      }
    });
  });
  afterAll(() => cam.close());

  it('reads and decodes a real photograph with the password from the URL', async () => {
    const base = cam.url.replace('http://', 'http://admin:s3cret@');
    const f = await httpSnapshotSource(`${base}/snapshot.jpg`, limits, now).read(
      new AbortController().signal,
    );
    expect(f.width).toBeGreaterThan(100);
    expect(f.rgb.length).toBe(f.width * f.height * 3);
  });

  it('reads on when the camera drops the kept-alive connection the next request came on (not a corrupt image)', async () => {
    const source = httpSnapshotSource(`${cam.url}/idle-close.jpg`, limits, now);
    const before = cam.requests();
    for (let i = 0; i < 3; i++) {
      const f = await source.read(new AbortController().signal);
      expect(f.width).toBeGreaterThan(100);
    }
    // At least one read found its kept-alive connection dropped and asked again on a new one.
    expect(cam.requests() - before).toBeGreaterThan(3);
  });

  it('names each bad answer: wrong password, 404, HTML, truncated, cut off, huge, timeout, refused', async () => {
    const read = (path: string, base = cam.url) =>
      codeOf(httpSnapshotSource(`${base}${path}`, limits, now).read(new AbortController().signal));
    expect(await read('/snapshot.jpg', cam.url.replace('http://', 'http://admin:wrong@'))).toBe('auth');
    expect(await read('/nothing.jpg')).toBe('not_found');
    expect(await read('/login.html')).toBe('not_image');
    expect(await read('/lying.jpg')).toBe('not_image');
    expect(await read('/truncated.jpg')).toBe('corrupt');
    expect(await read('/cut.jpg')).toBe('corrupt');
    expect(await read('/huge.jpg')).toBe('too_large');
    expect(await read('/slow.jpg')).toBe('timeout');
    expect(await read('/x.jpg', 'http://127.0.0.1:1')).toBe('unreachable');
  });
});

describe('camera reader loop', () => {
  it('never opens a camera whose privacy switch is off, and opens it once switched on', async () => {
    const cam = await startSnapshotServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo),
    );
    let on = false;
    let checks = 0; // the loop asks the switch every tick: a growing count shows it ran and was told no
    const reader = new CameraReader({
      room: 'living',
      url: `${cam.url}/snap.jpg`,
      frameIntervalMs: 100,
      width: 640,
      height: 480,
      limits,
      backoff: { minMs: 50, maxMs: 200 },
      isEnabled: () => {
        checks++;
        return on;
      },
      onFrame: () => 1,
      now,
      log,
    });
    reader.start();
    await waitFor(() => checks >= 5, 10_000, 'the loop asking the switch (off) a few times');
    expect(cam.requests()).toBe(0);
    expect(reader.status()).toMatchObject({ enabled: false, state: 'off', frames: 0 });
    on = true;
    reader.wake();
    await waitFor(() => reader.status().frames >= 2);
    expect(reader.status()).toMatchObject({ enabled: true, state: 'up' });
    expect(reader.status().faces).toBe(reader.status().frames);
    on = false;
    reader.wake();
    await waitFor(() => reader.status().state === 'off', 10_000, 'the camera closed'); // no read in flight
    const seen = cam.requests();
    const checked = checks;
    await waitFor(() => checks >= checked + 5, 10_000, 'the loop asking the switch (off) again');
    expect(cam.requests()).toBe(seen);
    await reader.stop();
    await cam.close();
  });

  it('counts a flapping camera’s errors, backs off, recovers, and keeps the rest of the process running', async () => {
    let mode: 'ok' | 'html' | 'down' = 'html';
    const cam = await startSnapshotServer((_req, res) => {
      if (mode === 'ok') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
      else if (mode === 'html') res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      else res.writeHead(503).end();
    });
    const reader = new CameraReader({
      room: 'kitchen',
      url: `${cam.url}/snap.jpg`,
      frameIntervalMs: 50,
      width: 640,
      height: 480,
      limits,
      backoff: { minMs: 100, maxMs: 400 },
      isEnabled: () => true,
      onFrame: () => 0,
      now,
      log,
    });
    let ticks = 0;
    const other = setInterval(() => ticks++, 20); // stands for the fall/inactivity scoring on the same loop
    reader.start();
    await new Promise((r) => setTimeout(r, 1200));
    const down = reader.status();
    expect(down.state).toBe('down');
    expect(down.errors.not_image).toBeGreaterThanOrEqual(3);
    // Backoff 100, 200, 400, 400 …: about 4-6 tries in 1.2 s, not 24 at the frame rate.
    expect(cam.requests()).toBeLessThanOrEqual(7);
    expect(down.lastError).toMatch(/^not_image/);
    mode = 'down';
    await waitFor(() => (reader.status().errors.http_status ?? 0) >= 1);
    mode = 'ok';
    await waitFor(() => reader.status().state === 'up');
    expect(reader.status().frames).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThan(30);
    clearInterval(other);
    await reader.stop();
    await cam.close();
  });
});

describe('folder of images', () => {
  it('reads the images of a folder in order and round again; an empty folder is no_frames', async () => {
    // Three of the demo photographs at 480 px wide (decoding the 1920 px originals in pure JS is slow).
    const dir = await mkdtemp(join(tmpdir(), 'anju-folder-'));
    for (const n of [1, 2, 3])
      await promisify(execFile)('ffmpeg', [
        '-loglevel',
        'error',
        '-i',
        join(DEMO_PHOTOS_DIR, `sample${n}.jpg`),
        '-vf',
        `scale=480:-2`,
        join(dir, `p${n}.jpg`),
      ]);
    const src = folderSource(dir, limits, now);
    const heights = [];
    for (let i = 0; i < 4; i++) heights.push((await src.read(new AbortController().signal)).height);
    expect(new Set(heights.slice(0, 3)).size).toBe(3);
    expect(heights[3]).toBe(heights[0]);
    await rm(dir, { recursive: true });
    const empty = await mkdtemp(join(tmpdir(), 'anju-cam-'));
    expect(await codeOf(folderSource(empty, limits, now).read(new AbortController().signal))).toBe(
      'no_frames',
    );
    await rm(empty, { recursive: true });
  });
});

describe('RTSP camera through ffmpeg against a real RTSP server', () => {
  let rtsp: Awaited<ReturnType<typeof startRtspServer>>;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anju-rtsp-'));
    await makeSlideshow(join(dir, 'faces.mp4'));
    rtsp = await startRtspServer({ user: 'cam', password: 'pw' });
    await rtsp.publish('living', join(dir, 'faces.mp4'));
  });
  afterAll(async () => {
    await rtsp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const source = (url: string) =>
    ffmpegSource({
      url,
      frameIntervalMs: 500,
      width: 640,
      height: 480,
      limits: { ...limits, timeoutMs: 4000 },
      now,
    });

  it('reads decoded 640×480 frames at the configured rate, then a stream that ends is named', async () => {
    const src = source(rtsp.clientUrl('living'));
    const signal = new AbortController().signal;
    const a = await src.read(signal);
    const b = await src.read(signal);
    expect(a.rgb.length).toBe(640 * 480 * 3);
    expect(b.atMs - a.atMs).toBeGreaterThan(250);
    // Not a blank frame: a photograph has many different values.
    expect(new Set(a.rgb.subarray(0, 30_000)).size).toBeGreaterThan(50);
    rtsp.stopPublishing();
    let code = 'ok';
    for (let i = 0; i < 20 && code === 'ok'; i++) code = await codeOf(src.read(signal));
    expect(['stalled', 'stream_ended', 'timeout']).toContain(code);
    // The camera comes back: the same source reads frames again (each read after the end starts a new ffmpeg).
    await rtsp.publish('living', join(dir, 'faces.mp4'));
    for (let i = 0; i < 10 && code !== 'ok'; i++) code = await codeOf(src.read(signal));
    expect(code).toBe('ok');
    await src.close();
  });

  it('a wrong RTSP password is auth, a missing stream is not ok', async () => {
    await rtsp.publish('living', join(dir, 'faces.mp4'));
    const signal = new AbortController().signal;
    const bad = source(rtsp.clientUrl('living', 'cam', 'wrong'));
    expect(await codeOf(bad.read(signal))).toBe('auth');
    await bad.close();
    const missing = source(rtsp.clientUrl('nothing-here'));
    expect(await codeOf(missing.read(signal))).not.toBe('ok');
    await missing.close();
  });
});
