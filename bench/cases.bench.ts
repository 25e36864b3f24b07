/**
 * `npm run bench:cases [-- --db pglite|postgres] [-- --cpu-prof <dir>]` — ingest throughput and
 * event → first SMS request latency (issue 4) at 1, 10 and 100 events/s sustained for BENCH_DURATION_S
 * (10) seconds each (BENCH_RATES=1,10,100 to choose others).
 *
 * Two processes, so that the load generator's CPU is not counted against the cloud:
 * - the cloud is `anju-cloud serve` (tools/harness startCloudProcess), exactly as it runs in production:
 *   log level info (BENCH_LOG_LEVEL to change), on PGlite in a data directory on disk (default) or on a
 *   fresh PostgreSQL database created on the server of DATABASE_URL (`--db postgres`, dropped after);
 *   its guardian/worker channel is the real Twilio notifier, pointed at the Twilio fake;
 * - this process runs the homes (one real MQTT connection per gateway, QoS 1) and the Twilio fake
 *   (tools/harness/fake-sms), which stamps each request when it arrives — on the same clock as the
 *   publish, so latency = publish of the event → the first SMS request for the case THAT EVENT opened.
 *
 * Every resident belongs to a station whose ten workers are on duty around the clock, so each event opens
 * a case dispatched to a worker at once, whose text is the first SMS of the case.
 *
 * What is measured, so that the figure means what it says:
 * - every event opens a NEW case: each event uses its own (home, kind) slot, never used before in the run;
 * - correlation after the run (untimed, no bench request while the cloud ingests): the one case of each
 *   slot (GET /cases), its events (must be exactly that event) and its notification ids (GET /cases/:id),
 *   matched with the `?n=<notification id>` of the StatusCallback each request to the fake carries;
 * - events_per_s = events PUBACKed (the cloud acks only after the commit) / time to the last PUBACK;
 * - lost = events without a PUBACK, without a case, or whose first text was not requested within
 *   WAIT_MS of the publish;
 * - the cloud's CPU (utime + stime of its process from /proc, from the first publish to the last text of
 *   the rate, even one later than WAIT_MS, within DRAIN_MS), and per event net of its idle CPU (measured
 *   for IDLE_MS before the rate); its RSS at the end of each rate (and the peak). CPU per event is the
 *   figure least moved by other load on a shared machine.
 * Bounded: each rate waits at most DRAIN_MS after its last publish; a watchdog ends the run at 600 s.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { stringify } from 'yaml';
import { EVENT_KINDS, type EventKind, newEventId } from '../contracts/src/index.ts';
import { startTwilioFake } from '../tools/harness/fake-sms/twilio.fake.ts';
import { apiClient, startCloudProcess } from '../tools/harness/processes.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'pglite' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: false,
});
if (args.help) {
  console.log(`npm run bench:cases -- [--db pglite|postgres] [--cpu-prof <dir>]
  --db pglite     the cloud on embedded PGlite in a temporary data directory (default)
  --db postgres   a fresh database on the server of DATABASE_URL (created and dropped)
  --cpu-prof dir  write a V8 CPU profile of the cloud process into dir (node --cpu-prof)
env: BENCH_RATES (1,10,100), BENCH_DURATION_S (10), BENCH_LOG_LEVEL (info: the cloud's default)`);
  process.exit(0);
}
if (args.db !== 'pglite' && args.db !== 'postgres') throw new Error('--db must be pglite or postgres');
const backend: 'pglite' | 'postgres' = args.db;

const RATES = (process.env.BENCH_RATES ?? '1,10,100').split(',').map(Number);
if (RATES.some((r) => !(r > 0))) throw new Error('BENCH_RATES: positive numbers, comma separated');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WAIT_MS = 10_000;
/** How long the cloud gets to finish the work of a rate (CPU accounting), after its last publish. */
const DRAIN_MS = 120_000;
/** The cloud's CPU while nothing is sent (timer polls, keep-alives) is measured this long before each rate. */
const IDLE_MS = 2_000;
/** Every kind opens a case and dispatches a worker; all of them per home, so fewer gateways are needed. */
const KINDS: readonly EventKind[] = EVENT_KINDS;
const eventsOf = (rate: number) => Math.max(1, Math.round(rate * DURATION_S));
const SLOTS = RATES.reduce((n, r) => n + eventsOf(r), 0);
const HOMES = Math.ceil(SLOTS / KINDS.length);
/** Gateway registration and MQTT connect each cost a hash check: a few at a time. */
const SETUP_CONCURRENCY = 8;
const TOKEN = randomBytes(16).toString('hex');
const PUBLIC_BASE = 'https://anju.bench.invalid';
const TWILIO = { accountSid: `AC${'b2'.repeat(16)}`, authToken: randomBytes(12).toString('hex') };
const FROM = '+14155550100';

setTimeout(() => {
  console.error('cases-bench: still running after 600 s, giving up');
  process.exit(1);
}, 600_000).unref();

// A fresh database on the PostgreSQL server, dropped at the end.
let dbUrl: string | undefined;
let dropDb: (() => Promise<void>) | undefined;
if (backend === 'postgres') {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('--db postgres needs DATABASE_URL (a server we may create databases on)');
  const name = `anju_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  dbUrl = url.toString();
  dropDb = async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  };
}

let cloudHttp = '';
const twilio = await startTwilioFake({
  accountSid: TWILIO.accountSid,
  authToken: TWILIO.authToken,
  numbers: [FROM],
  route: (publicUrl) => publicUrl.replace(PUBLIC_BASE, cloudHttp),
});
const dir = mkdtempSync(join(tmpdir(), 'anju-cases-bench-'));
const configFile = join(dir, 'cloud.yaml');
writeFileSync(
  configFile,
  stringify({
    publicUrl: PUBLIC_BASE,
    notify: {
      guardianChannel: 'twilio-sms',
      providers: {
        twilio: {
          accountSid: TWILIO.accountSid,
          from: FROM,
          baseUrl: twilio.baseUrl,
          publicWebhookBaseUrl: PUBLIC_BASE,
        },
      },
    },
  }),
);
const cloud = await startCloudProcess({
  dataDir: join(dir, 'db'),
  databaseUrl: dbUrl,
  apiToken: TOKEN,
  configFile,
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  env: { ANJU_TWILIO_AUTH_TOKEN: TWILIO.authToken },
  ...(args['cpu-prof'] ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] } : {}),
});
cloudHttp = cloud.httpUrl;
const cloudPid = cloud.child.pid!;
// The harness keeps every log line; a benchmark only needs them to flow (the pipe must not fill up).
cloud.onLine(() => {
  if (cloud.lines.length > 1000) cloud.lines.splice(0, cloud.lines.length - 100);
});

/** The cloud process's CPU time (user + system) in ms and its resident set, from /proc. */
const CLK_TCK = 100;
function cloudCpuMs(): number {
  // Fields after the "(comm)" part: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${cloudPid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}
function cloudMemMb(): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${cloudPid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const api = apiClient(cloud.httpUrl, TOKEN);
const call = async (method: string, path: string, body?: unknown) => {
  const r = await api.call(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/** Runs `fn` over `items`, `n` at a time. */
async function pool<T, R>(items: readonly T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

const setupT0 = performance.now();
const tag = randomBytes(3).toString('hex');
const stationId = `bench-${tag}`;
await call('POST', '/stations', { id: stationId, name: 'Bench station' });
for (let i = 0; i < 10; i++) {
  await call('POST', '/workers', {
    id: `${stationId}-w${i}`,
    stationId,
    name: `W${i}`,
    phone: `+861390000${1000 + i}`,
    skills: ['first_aid'],
    home: { lat: 31.2 + i * 0.01, lon: 121.4 },
    shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }],
  });
}
const homes = await pool(
  Array.from({ length: HOMES }, (_, i) => i),
  SETUP_CONCURRENCY,
  async (i) => {
    const r = await call('POST', '/residents', {
      name: `R${i}`,
      address: `${i} Road`,
      stationId,
      lat: 31.2,
      lon: 121.4,
    });
    const gw = await call('POST', '/gateways', { id: `gw-bench-${tag}-${i}`, residentId: r.id });
    const client = await mqtt.connectAsync(cloud.mqttUrl, {
      username: gw.gatewayId,
      password: gw.secret,
      reconnectPeriod: 0,
    });
    return { residentId: r.id as string, gatewayId: gw.gatewayId as string, client };
  },
);
console.log(
  `setup: ${HOMES} homes × ${KINDS.length} kinds (${SLOTS} fresh slots), 10 workers on duty, ` +
    `${((performance.now() - setupT0) / 1000).toFixed(1)} s; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);

const pct = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sent {
  eventId: string;
  residentId: string;
  kind: EventKind;
  at: number;
  ackedAt?: number;
}
interface RateRun {
  rate: number;
  sent: Sent[];
  t0: number;
  lastPublish: number;
  cpuMs: number;
  idleCpuPerMs: number;
  wallMs: number;
  mem: { rss: number; peak: number };
  benchCpuMs: number;
}
const runs: RateRun[] = [];
let slot = 0;
for (const rate of RATES) {
  const total = eventsOf(rate);
  const sent: Sent[] = [];
  const acks: Promise<void>[] = [];
  const textsBefore = twilio.accepted.length;
  const idle0 = cloudCpuMs();
  await sleep(IDLE_MS);
  const idleCpuPerMs = (cloudCpuMs() - idle0) / IDLE_MS;
  const cpu0 = cloudCpuMs();
  const benchCpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    // Slot s: home s mod HOMES, kind s div HOMES — a (resident, kind) never used before in this run.
    const s = slot++;
    const h = homes[s % HOMES]!;
    const kind = KINDS[Math.floor(s / HOMES)]!;
    const now = new Date().toISOString();
    const ev = {
      schema: 1,
      id: newEventId(),
      gatewayId: h.gatewayId,
      residentId: h.residentId,
      kind,
      severity: 'urgent',
      occurredAt: now,
      detectedAt: now,
      score: { value: 0.93, threshold: 0.8, model: { name: 'bench', version: '1.0.0' } },
      evidence: {},
    };
    const rec: Sent = { eventId: ev.id, residentId: h.residentId, kind, at: performance.now() };
    sent.push(rec);
    acks.push(
      h.client.publishAsync(`gw/${h.gatewayId}/events`, JSON.stringify(ev), { qos: 1 }).then(
        () => {
          rec.ackedAt = performance.now();
        },
        () => undefined,
      ),
    );
  }
  const lastPublish = performance.now();
  // Bounded wait for every PUBACK and one text per event: texts later than WAIT_MS after their publish
  // count as lost, but the cloud's CPU is measured until it has done the work of every event (or DRAIN_MS).
  await Promise.race([Promise.allSettled(acks), sleep(DRAIN_MS)]);
  while (twilio.accepted.length - textsBefore < total && performance.now() < lastPublish + DRAIN_MS) {
    await sleep(5);
  }
  const wallMs = performance.now() - t0;
  const cpuMs = cloudCpuMs() - cpu0;
  const bc = process.cpuUsage(benchCpu0);
  runs.push({
    rate,
    sent,
    t0,
    lastPublish,
    cpuMs,
    idleCpuPerMs,
    wallMs,
    mem: cloudMemMb(),
    benchCpuMs: (bc.user + bc.system) / 1000,
  });
  await sleep(500); // let the last bookkeeping of this rate settle before the next one starts
}

// Untimed: which case did each event open, and which texts belong to it?
const firstRequest = new Map<string, number>(); // notification id → first request at the fake
for (const a of twilio.accepted) {
  const n = a.statusCallback ? new URL(a.statusCallback).searchParams.get('n') : null;
  // receivedAt is epoch ms from the fake's clock — this process's: back to performance.now() time.
  const at = a.receivedAt - performance.timeOrigin;
  if (n && !(firstRequest.get(n)! <= at)) firstRequest.set(n, at);
}
const casesOf = new Map<string, { id: string; kind: string; eventCount: number }[]>();
await pool(homes, SETUP_CONCURRENCY, async (h) => {
  casesOf.set(h.residentId, (await call('GET', `/cases?residentId=${h.residentId}&limit=500`)).items);
});
const slotCases = runs.flatMap((r) =>
  r.sent.map((s) => casesOf.get(s.residentId)!.filter((c) => c.kind === s.kind)),
);
const details = new Map<string, { events: { id: string }[]; notifications: { id: string }[] }>();
await pool(
  slotCases.flat().map((c) => c.id),
  SETUP_CONCURRENCY,
  async (id) => {
    details.set(id, await call('GET', `/cases/${id}`));
  },
);

const lines: string[] = [];
const resources: string[] = [];
for (const r of runs) {
  const lat: number[] = [];
  let invalid = 0;
  for (const s of r.sent) {
    const cs = casesOf.get(s.residentId)!.filter((c) => c.kind === s.kind);
    const d = cs.length === 1 ? details.get(cs[0]!.id) : undefined;
    if (cs.length > 1 || (d && (d.events.length !== 1 || d.events[0]!.id !== s.eventId))) invalid++;
    if (!d || s.ackedAt === undefined) continue;
    const first = Math.min(...d.notifications.map((n) => firstRequest.get(n.id) ?? Number.POSITIVE_INFINITY));
    if (first - s.at <= WAIT_MS) lat.push(first - s.at);
  }
  lat.sort((a, b) => a - b);
  const acked = r.sent.filter((s) => s.ackedAt !== undefined);
  const lastAck = Math.max(r.t0, ...acked.map((s) => s.ackedAt!));
  const lost = r.sent.length - lat.length;
  const eventsPerS = acked.length / ((lastAck - r.t0) / 1000 || 1);
  console.log(
    `rate ${r.rate}/s: ${r.sent.length} events published in ${((r.lastPublish - r.t0) / 1000).toFixed(1)} s, ` +
      `${acked.length} PUBACKed, ${lat.length} first texts; p90 ${pct(lat, 90).toFixed(1)} ms, ` +
      `max ${(lat.at(-1) ?? Number.NaN).toFixed(1)} ms` +
      (invalid > 0 ? `; INVALID: ${invalid} events not alone in their case` : ''),
  );
  resources.push(
    `cloud rate=${r.rate} cpu_pct=${((100 * r.cpuMs) / r.wallMs).toFixed(1)} ` +
      `cpu_ms_per_event=${((r.cpuMs - r.idleCpuPerMs * r.wallMs) / r.sent.length).toFixed(2)} ` +
      `idle_cpu_pct=${(100 * r.idleCpuPerMs).toFixed(1)} rss_mb=${r.mem.rss.toFixed(0)} ` +
      `peak_rss_mb=${r.mem.peak.toFixed(0)} (load generator: ${((100 * r.benchCpuMs) / r.wallMs).toFixed(1)} % CPU)`,
  );
  lines.push(
    `cases-bench rate=${r.rate} events_per_s=${eventsPerS.toFixed(1)} p50_ms=${pct(lat, 50).toFixed(1)} p99_ms=${pct(lat, 99).toFixed(1)} lost=${lost}`,
  );
}

await Promise.allSettled(homes.map((h) => h.client.endAsync(true)));
await cloud.stop();
await twilio.close();
await dropDb?.();
rmSync(dir, { recursive: true, force: true });
console.log(
  `cloud: anju-cloud serve in its own process (pid ${cloudPid}), ` +
    `${backend === 'postgres' ? 'PostgreSQL (fresh database on the DATABASE_URL server)' : 'embedded PGlite (data directory on disk)'}, ` +
    `log level ${process.env.BENCH_LOG_LEVEL ?? 'info'}, Twilio notifier → fake on loopback; ` +
    'latency = publish → first SMS request of the case the event opened',
);
for (const l of resources) console.log(l);
console.log(`database: ${backend}`);
for (const l of lines) console.log(l);
process.exit(0);
