/**
 * `npm run bench:fleet -- --gateways N [--event-rate R] [--duration S] [--compress C] [--ceiling]` — many
 * homes on one cloud (issue 7): N simulated gateways on real MQTT connections to an `anju-cloud serve`
 * PROCESS (embedded broker, a fresh PostgreSQL database on the server of DATABASE_URL, guardian texts to
 * the fake Twilio API), driven by load-generator processes (bench/fleet-loader.ts), so the cloud's CPU and
 * RSS are its own.
 *
 * What is measured, so that the figure means what it says:
 * - connected: gateways whose MQTT connection is up after the ramp (`--ramp-per-s` connects per second)
 *   and still up at the end;
 * - heartbeats: every gateway sends the real heartbeat every `--heartbeat-s` (60) seconds divided by
 *   `--compress` (1 = real time); they load the cloud all through the run;
 * - events: `--event-rate` alert events per second in total for `--duration` seconds, each for a
 *   (gateway, kind) with no active case, so each opens a NEW case and texts the resident's guardian;
 * - event → case = publish → PUBACK: the embedded broker sends the PUBACK only after the event and its
 *   case are committed (cloud/README.md), and the database confirms afterwards that each event has one;
 * - event → first SMS request = publish → the fake Twilio API accepting the first text of that case
 *   (correlated by the notification id the cloud passes in StatusCallback), same clock (one machine);
 * - events_per_s = events PUBACKed / time from the first publish to the last PUBACK;
 * - lost = events without PUBACK or without a case 15 s after the last publish; duplicate_cases = cases
 *   beyond one per (resident, kind) opened during the phase (each pair gets one event per phase);
 * - cloud CPU (% of one core) and RSS from /proc/<pid> over the timed phase.
 * `--ceiling` steps the event rate up (10 s each, fresh cases between steps) and reports the highest rate
 * the cloud kept up with (≥ 95 % of the offered rate PUBACKed in time, nothing lost) and the highest one
 * that also kept p99 event → case ≤ 500 ms.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, scrypt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateSecret, hashSecret } from '../cloud/src/gateways/gateway-secret.ts';
import type { EventKind } from '../contracts/src/index.ts';
import { closeCases } from '../tools/harness/close-cases.ts';
import { startTwilioFake } from '../tools/harness/fake-sms/twilio.fake.ts';
import { type CloudProc, startCloudProcess } from '../tools/harness/processes.ts';
import type { LoaderGateway, LoaderRequest, SentEvent } from './fleet-loader.ts';
import { ask, spawnLoaders, ULIMIT } from './fleet-loaders.ts';
import { numberArg } from './number-arg.ts';

const USAGE = `npm run bench:fleet -- [options]   (needs DATABASE_URL: a PostgreSQL server we may create a database on)
  --gateways N       simulated gateways (default 1000)
  --event-rate R     alert events per second in total (default 20)
  --duration S       seconds of events (default 30)
  --heartbeat-s H    heartbeat interval of each gateway in real time (default 60)
  --compress C       time compression: heartbeats every H/C seconds (default 1)
  --ramp-per-s K     new connections per second while connecting (default 500)
  --loaders L        load-generator processes (default: one per 5000 gateways)
  --ceiling          step the event rate up (10 s steps) and report the sustained ceiling
  --cloud-log L      the cloud's log level (default info, as deployed)
  --legacy-scrypt    store the first version's scrypt secret hashes (N=2^14) to compare the cost of a connect`;

const { values: a } = parseArgs({
  options: {
    gateways: { type: 'string', default: '1000' },
    'event-rate': { type: 'string', default: '20' },
    duration: { type: 'string', default: '30' },
    'heartbeat-s': { type: 'string', default: '60' },
    compress: { type: 'string', default: '1' },
    'ramp-per-s': { type: 'string', default: '500' },
    loaders: { type: 'string' },
    ceiling: { type: 'boolean', default: false },
    'cloud-log': { type: 'string', default: 'info' },
    'legacy-scrypt': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = numberArg('bench:fleet', USAGE);
const N = Math.round(num('gateways', a.gateways, 1, 100_000));
const RATE = num('event-rate', a['event-rate'], 0.1, 10_000);
const DURATION_S = num('duration', a.duration, 1, 3_600);
const HEARTBEAT_MS =
  (num('heartbeat-s', a['heartbeat-s'], 1, 86_400) * 1000) / num('compress', a.compress, 1, 3_600);
const RAMP = num('ramp-per-s', a['ramp-per-s'], 1, 100_000);
const LOADERS = Math.round(num('loaders', a.loaders ?? String(Math.ceil(N / 5000)), 1, 16));
const KINDS: readonly EventKind[] = ['fall', 'sos', 'inactivity', 'vitals'];
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error(`bench:fleet: DATABASE_URL is unset\n${USAGE}`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'NaN');

/** Raises the soft open-files limit to the hard one for a child (10k sockets need more than 1024). */
const ulimitN = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();

// ── database, fake SMS provider, cloud process ─────────────────────────────────────────────────────────
const dbName = `anju_fleet_bench_${randomBytes(5).toString('hex')}`;
{
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
}
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dir = await mkdtemp(join(tmpdir(), 'anju-fleet-bench-'));
const TWILIO = {
  accountSid: `AC${'b2'.repeat(16)}`,
  authToken: 'fleet-bench-auth-token-0123456789',
  from: '+14155550100',
};
const twilio = await startTwilioFake({ ...TWILIO, numbers: [TWILIO.from], route: (u) => u });
const configFile = join(dir, 'cloud.json');
writeFileSync(
  configFile,
  JSON.stringify({
    notify: {
      guardianChannel: 'twilio-sms',
      providers: {
        twilio: { ...TWILIO, baseUrl: twilio.baseUrl, publicWebhookBaseUrl: 'https://anju.example.com' },
        retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200 },
      },
    },
  }),
);
const cloud: CloudProc = await startCloudProcess({
  dataDir: join(dir, 'pglite-unused'),
  databaseUrl: dbUrl,
  apiToken: 'fleet-bench-token-0123456789',
  configFile,
  logLevel: a['cloud-log'],
  wrap: ULIMIT,
});
const cloudPid = cloud.child.pid!;
const db = new pg.Client({ connectionString: dbUrl });
await db.connect();

let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const l of loaders) {
    l.proc.send?.({ type: 'stop' } satisfies LoaderRequest);
  }
  await sleep(500);
  for (const l of loaders) l.proc.kill('SIGKILL');
  await cloud.stop();
  await db.end().catch(() => {});
  await twilio.close();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}

// ── N homes, registered straight into the database (the bench measures the fleet, not registration) ──
const setupT0 = performance.now();
const tag = randomBytes(3).toString('hex');
const homes: (LoaderGateway & { index: number })[] = [];
for (let start = 0; start < N; start += 1000) {
  const batch = Array.from({ length: Math.min(1000, N - start) }, (_, j) => start + j);
  const secrets = batch.map(() => generateSecret());
  const hashes = await Promise.all(
    secrets.map((s) => (a['legacy-scrypt'] ? legacyScrypt(s) : hashSecret(s))),
  );
  const residentIds = batch.map((i) => `res-${tag}-${i}`);
  const gatewayIds = batch.map((i) => `gw-${tag}-${i}`);
  await db.query(
    `INSERT INTO residents (id, name, address) SELECT id, 'R ' || id, 'Road ' || id FROM unnest($1::text[]) AS id`,
    [residentIds],
  );
  await db.query(
    `INSERT INTO guardians (id, resident_id, name, phone, language)
     SELECT 'g-' || r, r, 'G', '+8613' || lpad(n::text, 9, '0'), 'zh-CN'
     FROM unnest($1::text[], $2::int[]) AS t(r, n)`,
    [residentIds, batch],
  );
  await db.query(
    `INSERT INTO gateways (id, resident_id, secret_hash) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [gatewayIds, residentIds, hashes],
  );
  for (const [j, i] of batch.entries()) {
    homes.push({ index: i, gatewayId: gatewayIds[j]!, residentId: residentIds[j]!, secret: secrets[j]! });
  }
}
const residentIds = homes.map((h) => h.residentId);
console.log(
  `setup: ${N} homes (resident, guardian, gateway) in ${f1((performance.now() - setupT0) / 1000)} s`,
);

// ── load generators ────────────────────────────────────────────────────────────────────────────────
const loaders = spawnLoaders(LOADERS, homes);

process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  console.log(
    `open files: ulimit -n raised to ${ulimitN} for the cloud and ${LOADERS} load generator(s); ` +
      `heartbeat every ${f1(HEARTBEAT_MS / 1000)} s per gateway (${f1((N * 1000) / HEARTBEAT_MS)}/s in total)`,
  );
  const cpu0 = procCpu(cloudPid);
  const conn = await Promise.all(
    loaders.map((l) =>
      ask(
        l,
        {
          type: 'connect',
          mqttUrl: cloud.mqttUrl,
          gateways: l.gateways,
          rampPerS: RAMP / LOADERS,
          heartbeatMs: HEARTBEAT_MS,
          // QoS 1 (not the gateway's 0): every heartbeat acknowledged, the harder load this bench's figures were taken with.
          heartbeatQos: 1,
          keepaliveS: 60,
        },
        'connected',
      ),
    ),
  );
  const connectS = Math.max(...conn.map((c) => c.elapsedMs)) / 1000; // from the first connect, not the loader's start
  const connectCpu = procCpu(cloudPid);
  const connected = conn.reduce((s, c) => s + c.connected, 0);
  console.log(
    `connect: ${connected}/${N} connected, ${conn.reduce((s, c) => s + c.failed, 0)} failed, in ${f1(connectS)} s ` +
      `(ramp ${RAMP}/s); cloud CPU ${f1((connectCpu.ticks - cpu0.ticks) / 100)} s (${f1(cpuPct(cpu0, connectCpu))} % of a core) ` +
      `while connecting, RSS ${procRssMb(cloudPid)} MB`,
  );
  for (const c of conn) if (c.failed > 0) console.log('connect failures:', c.failures);
  await sleep(2_000); // heartbeats settle into their phases

  let slotCursor = 0;
  const totalSlots = N * KINDS.length;
  async function phase(rate: number, seconds: number) {
    const total = Math.max(1, Math.round(rate * seconds));
    if (slotCursor + total > totalSlots) {
      await closeCases(db, residentIds);
      slotCursor = 0;
    }
    if (total > totalSlots)
      throw new Error(`${total} events need more than ${totalSlots} fresh (gateway, kind) slots`);
    // Slot k → gateway k mod N, kind k div N: never an active case for that resident and kind.
    const slots = Array.from({ length: total }, (_, j) => {
      const k = slotCursor + j;
      return { g: k % N, kind: KINDS[Math.floor(k / N)]! };
    });
    slotCursor += total;
    const since = new Date(Date.now() - 1000);
    const cpuA = procCpu(cloudPid);
    const textsBefore = twilio.accepted.length;
    const results = await Promise.all(
      loaders.map((l, li) => {
        const mine = slots
          .filter((s) => s.g % LOADERS === li)
          .map((s) => ({ ...s, g: Math.floor(s.g / LOADERS) })); // position among this loader's gateways
        return ask(l, { type: 'events', slots: mine, ratePerS: rate / LOADERS }, 'events');
      }),
    );
    const cpuB = procCpu(cloudPid);
    const sent: SentEvent[] = results.flatMap((r) => r.sent);
    // Texts go out after the commit: give the last ones a moment.
    const until = Date.now() + 15_000;
    while (twilio.accepted.length - textsBefore < sent.length && Date.now() < until) await sleep(100);
    return { sent, ...(await judge(sent, since)), cpu: cpuPct(cpuA, cpuB), rssMb: procRssMb(cloudPid) };
  }

  async function judge(sent: SentEvent[], since: Date) {
    const { rows } = await db.query<{ id: string; case_id: string | null }>(
      'SELECT id, case_id FROM events WHERE id = ANY($1::text[])',
      [sent.map((s) => s.id)],
    );
    const caseOf = new Map(rows.map((r) => [r.id, r.case_id]));
    // Each (resident, kind) is used once per phase: a second case for one in the phase is a duplicate,
    // however late either committed.
    const dup = await db.query<{ n: number }>(
      `SELECT coalesce(sum(n - 1), 0)::int AS n FROM (
         SELECT count(*) AS n FROM cases WHERE resident_id = ANY($1::text[]) AND opened_at >= $2
         GROUP BY resident_id, kind, test) per_slot`,
      [residentIds, since],
    );
    // First text per case: the notification id rides in the StatusCallback URL (?n=…).
    const byNotification = new Map<string, number>();
    for (const t of twilio.accepted) {
      const n = t.statusCallback ? new URL(t.statusCallback).searchParams.get('n') : null;
      if (n && !byNotification.has(n)) byNotification.set(n, t.receivedAt);
    }
    const notes = await db.query<{ id: string; case_id: string }>(
      'SELECT id, case_id FROM notifications WHERE id = ANY($1::text[])',
      [[...byNotification.keys()]],
    );
    const firstText = new Map<string, number>();
    for (const n of notes.rows) {
      const t = byNotification.get(n.id)!;
      firstText.set(n.case_id, Math.min(firstText.get(n.case_id) ?? Number.POSITIVE_INFINITY, t));
    }
    const toCase: number[] = [];
    const toSms: number[] = [];
    let lost = 0;
    for (const s of sent) {
      const c = caseOf.get(s.id);
      if (s.ackedAt === undefined || !c) {
        lost++;
        continue;
      }
      toCase.push(s.ackedAt - s.sentAt);
      const t = firstText.get(c);
      if (t !== undefined) toSms.push(t - s.sentAt);
    }
    toCase.sort((x, y) => x - y);
    toSms.sort((x, y) => x - y);
    const acked = sent.filter((s) => s.ackedAt !== undefined);
    const first = Math.min(...sent.map((s) => s.sentAt));
    const last = Math.max(first, ...acked.map((s) => s.ackedAt!));
    return {
      toCase,
      toSms,
      lost,
      duplicateCases: dup.rows[0]!.n,
      eventsPerS: acked.length / ((last - first) / 1000 || 1),
    };
  }

  const status = async () => {
    const s = await Promise.all(loaders.map((l) => ask(l, { type: 'status' }, 'status')));
    return {
      connected: s.reduce((x, y) => x + y.connected, 0),
      reconnects: s.reduce((x, y) => x + y.reconnects, 0),
      heartbeats: s.reduce((x, y) => x + y.heartbeats, 0),
      heartbeatFailures: s.reduce((x, y) => x + y.heartbeatFailures, 0),
    };
  };

  /** Highest rate fully ingested (≥ 95 % PUBACKed in time, nothing lost), and the highest also within p99 ≤ 500 ms. */
  let ceiling: number | undefined;
  let ceilingWithinP99: number | undefined;
  if (a.ceiling) {
    for (const rate of [10, 25, 50, 100, 150, 200, 300, 400, 600, 800]) {
      if (rate * 10 > totalSlots) {
        console.log(
          `ceiling: stopped before ${rate}/s: 10 s of it needs more than ${totalSlots} fresh cases`,
        );
        break;
      }
      const r = await phase(rate, 10);
      const kept = r.eventsPerS >= 0.95 * rate && r.lost === 0;
      const fast = pct(r.toCase, 99) <= 500;
      console.log(
        `ceiling step rate=${rate}/s: events_per_s=${f1(r.eventsPerS)} p50_ms=${f1(pct(r.toCase, 50))} ` +
          `p99_ms=${f1(pct(r.toCase, 99))} sms_p99_ms=${f1(pct(r.toSms, 99))} lost=${r.lost} ` +
          `cloud_cpu=${f1(r.cpu)}% rss_mb=${r.rssMb} ${kept ? (fast ? 'kept up' : 'kept up, p99 > 500 ms') : 'FELL BEHIND'}`,
      );
      if (!kept) break;
      ceiling = r.eventsPerS;
      if (fast) ceilingWithinP99 = r.eventsPerS; // a slow first step (cold caches) does not void later ones
      await closeCases(db, residentIds);
      slotCursor = 0;
      await sleep(2_000);
    }
  }

  const hb0 = await status();
  const r = await phase(RATE, DURATION_S);
  const hb1 = await status();
  const heartbeatsPerS = (hb1.heartbeats - hb0.heartbeats) / DURATION_S;
  console.log(
    `events: ${r.sent.length} sent at ${RATE}/s for ${DURATION_S} s; event → case p50 ${f1(pct(r.toCase, 50))} ms, ` +
      `p99 ${f1(pct(r.toCase, 99))} ms, max ${f1(r.toCase.at(-1) ?? Number.NaN)} ms; ` +
      `event → first SMS request p50 ${f1(pct(r.toSms, 50))} ms, p99 ${f1(pct(r.toSms, 99))} ms (${r.toSms.length} texts)`,
  );
  const metricsText = await (await fetch(`${cloud.httpUrl}/metrics`)).text();
  const shed = [...metricsText.matchAll(/^anju_telemetry_messages_shed_total\{[^}]*\} (\S+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  console.log(
    `cloud: CPU ${f1(r.cpu)} % of one core, RSS ${r.rssMb} MB; heartbeats ${f1(heartbeatsPerS)}/s acknowledged ` +
      `(${hb1.heartbeatFailures} failed; ${shed} shed by the cloud since start); reconnects during the run ${hb1.reconnects}`,
  );
  if (a.ceiling) {
    const show = (x: number | undefined) => (x === undefined ? 'none' : f1(x));
    console.log(
      `fleet-bench-ceiling gateways=${N} sustained_events_per_s=${show(ceiling)} within_p99_500ms=${show(ceilingWithinP99)}`,
    );
  }
  // What the cloud complained about (refused connects, slow database …), by message.
  const complaints = new Map<string, number>();
  for (const l of cloud.lines) {
    if ((l.level ?? 0) >= 40 || /^mqtt (client|connection) error$/.test(l.msg ?? '')) {
      const why = l.reason ?? l.err;
      const key = `${l.msg}${why ? ` (${typeof why === 'string' ? why : JSON.stringify(why).slice(0, 80)})` : ''}`;
      complaints.set(key, (complaints.get(key) ?? 0) + 1);
    }
  }
  if (complaints.size > 0) console.log('cloud warnings:', Object.fromEntries(complaints));
  console.log(
    `fleet-bench gateways=${N} connected=${hb1.connected} events_per_s=${f1(r.eventsPerS)} ` +
      `p50_ms=${f1(pct(r.toCase, 50))} p99_ms=${f1(pct(r.toCase, 99))} lost=${r.lost} duplicate_cases=${r.duplicateCases}`,
  );
} finally {
  await cleanup();
}
process.exit(0);

/** The stored form the first version used (gateway-secret.ts still verifies it). */
function legacyScrypt(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err
        ? reject(err)
        : resolve(['scrypt', 16_384, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')),
    ),
  );
}

// ── /proc readings of the cloud process ───────────────────────────────────────────────────────────────
function procCpu(pid: number): { ticks: number; at: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name.
  return { ticks: Number(fields[11]) + Number(fields[12]), at: performance.now() };
}
function cpuPct(a0: { ticks: number; at: number }, a1: { ticks: number; at: number }): number {
  const CLK_TCK = 100;
  return ((a1.ticks - a0.ticks) / CLK_TCK / ((a1.at - a0.at) / 1000)) * 100;
}
function procRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}
