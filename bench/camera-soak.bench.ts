// `npm run bench:camera-soak -- --minutes 60`: the real agent (`anju-gw run`) reads two flapping cameras for
// an hour and its RSS is sampled every minute (issue 13: "the agent's RSS stays bounded over an hour of a
// flapping camera").
// - an HTTP snapshot camera on loopback that cycles through ok / 404 / no answer (timeout) / a truncated JPEG /
//   an HTML page, the ok answers a real photograph (face-api's demo photos, 640×480 JPEG);
// - a real RTSP server (npm rtsp-streaming-server) whose stream (a slideshow of the same photos) is stopped
//   for a while every few minutes and published again.
// The agent runs with the face models (frames → faces → expressions), one frame every 2 s per camera, short
// backoff so the flapping never rests. Prints one line per sample and ends with
// `camera-soak minutes=… rss_start_mb=… rss_max_mb=… rss_end_mb=… errors=… frames=…`
// (rss_start_mb: the first sample after both cameras delivered a frame and the models loaded).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import {
  type AgentRuntime,
  type AgentStatus,
  agentTopics,
  RUNTIME_FILE,
} from '../edge/src/agent/agent-status.ts';
import type { CameraStatus } from '../edge/src/camera/index.ts';
import {
  DEMO_PHOTOS_DIR,
  makeSlideshow,
  startRtspServer,
  startSnapshotServer,
} from '../tests/camera/camera-servers.ts';
import { parseToolArgs } from '../tools/cli-args.ts';
import { freePort } from '../tools/harness/net.ts';
import { startGatewayProcess } from '../tools/harness/processes.ts';
import { startPtyPair } from '../tools/harness/socat.ts';
import { numberArg } from './number-arg.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    minutes: { type: 'string', default: '60' },
    'sample-s': { type: 'string', default: '60' },
    /** The RTSP stream runs this long, then is off for rtsp-off-s, again and again. */
    'rtsp-on-s': { type: 'string', default: '150' },
    'rtsp-off-s': { type: 'string', default: '45' },
    /** The agent's camera.frameIntervalMs (its default 2000: one frame every 2 s per camera). */
    'frame-ms': { type: 'string', default: '2000' },
  },
});
const arg = numberArg(
  'bench:camera-soak',
  'usage: npm run bench:camera-soak -- [--minutes 60] [--sample-s 60] [--rtsp-on-s 150] [--rtsp-off-s 45] [--frame-ms 2000]',
);
const minutes = arg('minutes', args.minutes, 0.5, 24 * 60);
const sampleS = arg('sample-s', args['sample-s'], 5, 3600);
const rtspOnS = arg('rtsp-on-s', args['rtsp-on-s'], 5, 3600);
const rtspOffS = arg('rtsp-off-s', args['rtsp-off-s'], 5, 3600);
const frameMs = arg('frame-ms', args['frame-ms'], 200, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const dir = mkdtempSync(join(tmpdir(), 'anju-camera-soak-'));
// The ok answer: a real photograph of people, as a camera would send it (640×480 JPEG).
const photo = join(dir, 'photo.jpg');
await promisify(execFile)('ffmpeg', [
  '-loglevel',
  'error',
  '-i',
  join(DEMO_PHOTOS_DIR, 'sample1.jpg'),
  '-vf',
  'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2',
  photo,
]);
const jpeg = readFileSync(photo);

// Mostly good frames with every failure mixed in, in a fixed cycle.
const CYCLE = [
  'ok',
  'ok',
  'ok',
  'not_found',
  'ok',
  'ok',
  'timeout',
  'ok',
  'ok',
  'truncated',
  'ok',
  'ok',
  'html',
] as const;
let served = 0;
const answered: Record<string, number> = {};
const http = await startSnapshotServer((_req, res) => {
  const mode = CYCLE[served++ % CYCLE.length]!;
  answered[mode] = (answered[mode] ?? 0) + 1;
  switch (mode) {
    case 'ok':
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length }).end(jpeg);
      return;
    case 'not_found':
      res.writeHead(404).end('not found');
      return;
    case 'timeout':
      return; // never answers: the agent's timeout ends it (the server closes it at the end)
    case 'truncated':
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
      res.write(jpeg.subarray(0, jpeg.length >> 1), () => res.destroy());
      return;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login</body></html>');
      return;
  }
});

const video = join(dir, 'faces.mp4');
await makeSlideshow(video);
const rtsp = await startRtspServer({ user: 'cam', password: 'pw' });
await rtsp.publish('hall', video);

const rx = join(dir, 'rx');
const pty = await startPtyPair(rx, join(dir, 'tx'));
const gw = await startGatewayProcess({
  dir,
  gatewayId: 'gw-soak',
  residentId: 'res-soak',
  secret: 'soak-secret-123',
  cloudUrl: `mqtt://127.0.0.1:${await freePort()}`, // no cloud: the link retries, as when offline
  wristbandPath: rx,
  extraConfig: {
    nodeRed: { enabled: false },
    cameras: [
      { room: 'living', url: `${http.url.replace('http://', 'http://admin:pw@')}/snapshot.jpg` },
      { room: 'hall', url: rtsp.clientUrl('hall') },
    ],
    camera: { frameIntervalMs: frameMs, timeoutMs: 2000, backoffMinMs: 500, backoffMaxMs: 4000 },
  },
});
const pid = gw.child.pid!;

// The agent's own per-camera status, as `anju-gw status` reads it: the retained status message on the agent's
// local broker (published every 10 s and on change), kept as it comes.
const runtime = JSON.parse(readFileSync(join(dir, 'data', RUNTIME_FILE), 'utf8')) as AgentRuntime;
const local = await mqtt.connectAsync(`mqtt://${runtime.localBrokerHost}:${runtime.localBrokerPort}`);
let latest: AgentStatus | undefined;
local.on('message', (_topic, payload) => {
  latest = JSON.parse(payload.toString()) as AgentStatus;
});
await local.subscribeAsync(agentTopics.status);
const cameraStatus = (): CameraStatus[] => (latest?.cameras ?? []) as CameraStatus[];
const totals = (cams: CameraStatus[]) => ({
  frames: cams.reduce((a, c) => a + c.frames, 0),
  faces: cams.reduce((a, c) => a + c.faces, 0),
  errors: cams.reduce((a, c) => a + Object.values(c.errors).reduce((x, y) => x + (y ?? 0), 0), 0),
});

// The RTSP stream stops and comes back, on its own clock.
let rtspRestarts = 0;
let stopping = false;
const flapRtsp = (async () => {
  while (!stopping) {
    await sleep(rtspOnS * 1000);
    if (stopping) break;
    rtsp.stopPublishing();
    await sleep(rtspOffS * 1000);
    if (stopping) break;
    await rtsp.publish('hall', video);
    rtspRestarts++;
  }
})();

const t0 = Date.now();
const samples: number[] = [];
let rssStart: number | undefined;
let last = totals([]);
let lastCams: CameraStatus[] = [];
console.log(
  `camera-soak: agent pid ${pid}, ${minutes} min, a sample every ${sampleS} s; RSS at ready ${rssMb(pid).toFixed(1)} MB`,
);
while (Date.now() - t0 < minutes * 60_000) {
  await sleep(Math.min(sampleS * 1000, minutes * 60_000 - (Date.now() - t0)));
  if (gw.child.exitCode !== null) throw new Error(`the agent exited (${gw.child.exitCode})`);
  const rss = rssMb(pid);
  lastCams = cameraStatus();
  last = totals(lastCams);
  const bothUp = lastCams.length === 2 && lastCams.every((c) => c.frames > 0);
  if (rssStart === undefined && bothUp) rssStart = rss;
  samples.push(rss);
  console.log(
    `  ${((Date.now() - t0) / 60_000).toFixed(1)} min  rss ${rss.toFixed(1)} MB  frames ${last.frames} faces ${last.faces} errors ${last.errors}  ` +
      lastCams.map((c) => `${c.room}:${c.state}(${JSON.stringify(c.errors)})`).join(' '),
  );
}
stopping = true;
await local.endAsync();
const rssEnd = samples.at(-1) ?? rssMb(pid);
await gw.stop();
rtsp.stopPublishing();
// The flapping loop may be in a sleep of up to --rtsp-on-s: it checks `stopping` when it wakes; not awaited.
void flapRtsp;
await rtsp.close();
await http.close();
await pty.stop();
rmSync(dir, { recursive: true, force: true });
console.log(`snapshot answers: ${JSON.stringify(answered)}; RTSP stream restarted ${rtspRestarts} times`);
console.log(
  `camera-soak minutes=${minutes} rss_start_mb=${(rssStart ?? samples[0] ?? 0).toFixed(1)} rss_max_mb=${Math.max(...samples).toFixed(1)} rss_end_mb=${rssEnd.toFixed(1)} errors=${last.errors} frames=${last.frames} faces=${last.faces}`,
);
process.exit(0);
