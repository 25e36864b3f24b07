// The main job on embedded defaults: a cloud (embedded PostgreSQL and MQTT broker) and a gateway on this
// machine, a real recorded fall played through a serial pty pair, and each hop shown with its timing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFallsIndex } from '../edge/src/datasets/falls.ts';
import { API_TOKEN, enrolHousehold, ptysFor } from '../tools/harness/home.ts';
import { waitFor } from '../tools/harness/net.ts';
import {
  apiClient,
  FALLS_DIR,
  type LogLine,
  type Proc,
  replay,
  startCloudProcess,
  startGatewayProcess,
} from '../tools/harness/processes.ts';
import { DEMO_FALL_RECORDING } from '../tools/harness/recordings.ts';

const { values: args } = parseArgs({
  options: {
    recording: { type: 'string', default: DEMO_FALL_RECORDING },
    speed: { type: 'string', default: '1' },
    'confirm-window-ms': { type: 'string', default: '10000' },
    language: { type: 'string', default: 'zh-CN' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(`npm run demo [-- options]

Starts the cloud and a gateway on this machine (embedded defaults, nothing external), replays a real
recorded fall through a socat pty pair, and shows the event leaving the gateway, the case opening and the
guardian's SMS, with timings. Exits 0 and leaves no process behind.

  --recording FILE          recording under ../shared/datasets/falls (default ${DEMO_FALL_RECORDING})
  --speed X                 replay speed (default 1, real time)
  --confirm-window-ms MS    "I'm OK" window before the alarm goes out (default 10000 here; 30000 in production)
  --language zh-CN|en       the guardian's language (default zh-CN)`);
  process.exit(0);
}
const speed = Number(args.speed);
const confirmWindowMs = Number(args['confirm-window-ms']);
if (!(speed > 0) || !(confirmWindowMs >= 0) || !['zh-CN', 'en'].includes(args.language!)) {
  console.error('demo: --speed must be > 0, --confirm-window-ms ≥ 0, --language zh-CN or en (see --help)');
  process.exit(2);
}
try {
  execFileSync('socat', ['-V'], { stdio: 'ignore' });
} catch {
  console.error('demo: socat is missing; install it with: sudo apt-get install -y socat');
  process.exit(2);
}

const t0 = performance.now();
const stamp = () => `[+${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s]`;
const say = (what: string) => console.log(`${stamp()} ${what}`);
const cleanups: (() => Promise<unknown>)[] = [];
const work = mkdtempSync(join(tmpdir(), 'anju-demo-'));

async function main() {
  const info = readFallsIndex(FALLS_DIR).find((r) => r.file === args.recording);
  say(
    'starting the cloud: embedded PostgreSQL (PGlite) + MQTT broker (aedes) + HTTP API (first start of the database takes a few seconds)',
  );
  const cloud = await startCloudProcess({ dataDir: join(work, 'cloud'), apiToken: API_TOKEN });
  cleanups.push(() => cloud.stop());
  say(`cloud ready: API ${cloud.httpUrl}  (OpenAPI at ${cloud.httpUrl}/docs), MQTT ${cloud.mqttUrl}`);

  const h = await enrolHousehold(cloud, {
    guardianLanguage: args.language as 'zh-CN' | 'en',
    gatewayId: 'gw-demo-01',
  });
  say(
    `enrolled resident ${h.residentId}, a guardian (${args.language}), gateway ${h.gatewayId} (secret shown once, stored hashed)`,
  );
  const pty = await ptysFor(h);
  cleanups.push(() => pty.stop());
  say(`serial line up: socat pty pair ${h.tx} → ${h.rx}`);
  const gw = await startGatewayProcess({
    ...h,
    cloudUrl: cloud.mqttUrl,
    wristbandPath: h.rx,
    confirmWindowMs,
    // Two incidents a few seconds apart in this demo: the cancelled one must not swallow the real fall.
    extraConfig: { fall: { confirmWindowMs, dedupeMs: 5_000 } },
  });
  cleanups.push(() => gw.stop());
  say(
    `gateway ready: wristband receiver open, connected to the cloud; "I'm OK" window ${confirmWindowMs / 1000} s`,
  );

  const watch = (proc: Proc, msg: string, show: (l: LogLine) => string) =>
    proc.onLine((l) => {
      if (l.msg === msg) say(show(l));
    });
  watch(
    gw,
    'fall detected; waiting for "I\'m OK"',
    (l) => `gateway: FALL detected (score ${l.score}); waiting ${confirmWindowMs / 1000} s for "I'm OK"`,
  );
  watch(
    gw,
    'event raised (on disk)',
    (l) => `gateway: no "I'm OK": event ${l.eventId} raised, fsynced to the outbox`,
  );
  watch(
    gw,
    'event delivered (PUBACK)',
    (l) => `gateway → cloud: event delivered over MQTT QoS 1, PUBACK after ${l.ms} ms`,
  );

  watch(gw, 'prompt sent to the band', (l) =>
    l.action === 'start'
      ? `gateway → band: "I'm OK" prompt (downlink 0x82: vibrate + beep for ${l.seconds} s) sent over the serial line`
      : 'gateway → band: prompt stopped',
  );
  watch(
    gw,
    'alarm cancelled by "I\'m OK": nothing sent',
    () => 'gateway: "I\'m OK" pressed — alarm cancelled, nothing leaves the home',
  );

  const desc = info
    ? `${info.source} ${info.subject} (${info.position}), "${info.description || info.activity}"`
    : args.recording;
  // 1. A false alarm the elder cancels: the band buzzes and beeps, the elder presses "I'm OK".
  say(
    `first, a false alarm: replaying ${desc}; the elder presses "I'm OK" 2 s after the band starts buzzing`,
  );
  const bandSaid: string[] = [];
  await replay(args.recording!, h.tx, { speed, okAfterPromptS: 2, output: bandSaid });
  for (const line of bandSaid.filter((l) => l.startsWith('band:'))) say(`(band) ${line}`);
  await gw.waitForLog('alarm cancelled by "I\'m OK": nothing sent', 10_000);
  await new Promise((r) => setTimeout(r, 5_500)); // past the 5 s dedupe: the next fall is a new incident

  // 2. A real fall nobody cancels.
  say(`now a fall nobody cancels: replaying ${desc} into the wristband port at ×${speed}`);
  const replayStarted = performance.now();
  await replay(args.recording!, h.tx, { speed });
  say(`replay finished after ${((performance.now() - replayStarted) / 1000).toFixed(1)} s`);

  const raised = await gw.waitForLog('event raised (on disk)', confirmWindowMs + 20_000);
  const api = apiClient(cloud.httpUrl, API_TOKEN);
  const kase = await waitFor(
    async () => (await api.get(`/cases?residentId=${h.residentId}`)).body.items?.[0],
    15_000,
    'case',
  );
  say(`cloud: case ${kase.id} opened (kind ${kase.kind}, status ${kase.status})`);
  const detail = (await api.get(`/cases/${kase.id}`)).body;
  const ev = detail.events[0];
  say(
    `cloud: evidence ${JSON.stringify(ev.evidence)}, score ${ev.score?.value ?? '–'} (${ev.score?.model?.name ?? ''})`,
  );
  const sms = await waitFor(
    async () => (await api.get(`/notifications?caseId=${kase.id}`)).body.items?.[0],
    15_000,
    'SMS',
  );
  say(
    `cloud → guardian ${sms.recipientPhone} (${sms.language}) via ${sms.channel}:\n\n    ${String(sms.body).replaceAll('\n', '\n    ')}\n`,
  );

  // The latest line of each kind: the cancelled false alarm before the real fall logged the same messages.
  const logTime = async (msg: string) => {
    await gw.waitForLog(msg, 5_000);
    return Number(gw.lines.filter((l) => l.msg === msg).at(-1)?.time);
  };
  const hops: [string, number][] = [
    ['impact (band clock mapped to wall time)', Date.parse(ev.occurredAt)],
    ['fall detected by the scorer', await logTime('fall detected; waiting for "I\'m OK"')],
    [`alarm raised, fsynced (after the ${confirmWindowMs / 1000} s window)`, Number(raised.time)],
    ['PUBACK back at the gateway: outbox entry deleted', await logTime('event delivered (PUBACK)')],
    ['case committed in the cloud', Date.parse(kase.openedAt)],
    ['guardian SMS sent', Date.parse(sms.updatedAt)],
  ];
  // Cancelled false alarms that reached a guardian: every case of this resident is the real fall's.
  const cases = (await api.get(`/cases?residentId=${h.residentId}`)).body.items as { id: string }[];
  let smsCount = 0;
  for (const c of cases)
    smsCount += ((await api.get(`/notifications?caseId=${c.id}`)).body.items ?? []).length;
  const cancelled = gw.count('alarm cancelled by "I\'m OK": nothing sent');
  say(
    `false alarms cancelled with "I'm OK": ${cancelled}; cases opened: ${cases.length} (the real fall); guardian messages: ${smsCount}; cancelled false alarms that reached a guardian: ${cases.length - 1}`,
  );
  if (cancelled !== 1 || cases.length !== 1) throw new Error('a cancelled false alarm reached the cloud');
  console.log('timings (wall clock, from the impact; in the order they happened):');
  hops.sort((a, b) => a[1] - b[1]);
  for (const [what, at] of hops)
    console.log(`  ${what.padEnd(52)} +${((at - hops[0]![1]) / 1000).toFixed(3)} s`);
  console.log('demo finished: stopping the gateway, the serial line and the cloud');
}

let code = 0;
try {
  await main();
} catch (err) {
  console.error(`demo failed: ${(err as Error).message}`);
  code = 1;
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
