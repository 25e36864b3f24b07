/**
 * `npm run bench:supervision -- --gateways N [--heartbeat-s H] [--grace-s G] [--kill-pct P]` — gateway-silent
 * supervision at fleet scale (issue 16): N simulated gateways (bench/fleet-loader.ts: real MQTT
 * connections, real heartbeats every H seconds) on an `anju-cloud serve` PROCESS (embedded broker, a fresh
 * PostgreSQL database on the server of DATABASE_URL).
 *
 * 1. All connected and heartbeating; the cloud's CPU over a quiet window (heartbeats + supervision).
 * 2. A cloud restart in the middle: the process stopped for longer than H + G (every deadline passes while
 *    it is down) and started again on the same ports; the gateways reconnect by themselves. Any
 *    gateway_silent case after it is a restart false alarm.
 * 3. P % of the gateways killed at once (socket dropped, heartbeats stopped). Detection time = the case's
 *    opened_at − the kill; every killed gateway must get ONE case within H + 60 s, no other gateway any.
 * Prints `supervision-bench gateways=N killed=K detected=D p99_detect_s=… false_alarms=F
 * restart_false_alarms=R` and the cloud's CPU share.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateSecret, hashSecret } from '../cloud/src/gateways/gateway-secret.ts';
import { freePort } from '../tools/harness/net.ts';
import { type CloudProc, startCloudProcess } from '../tools/harness/processes.ts';
import type { LoaderGateway, LoaderRequest } from './fleet-loader.ts';
import { ask, spawnLoaders, ULIMIT } from './fleet-loaders.ts';
import { numberArg } from './number-arg.ts';

const USAGE = `npm run bench:supervision -- [options]   (needs DATABASE_URL: a PostgreSQL server we may create a database on)
  --gateways N     simulated gateways (default 10000)
  --heartbeat-s H  heartbeat interval of each gateway (default 30; short so the bench runs in minutes)
  --grace-s G      supervision.graceS (default 10)
  --restart-grace-s R  supervision.restartGraceS (default 60)
  --kill-pct P     percent of the gateways killed at once (default 1)
  --ramp-per-s K   new connections per second (default 500)
  --loaders L      load-generator processes (default: one per 5000 gateways)
  --timeout-s T    hard limit on the whole run; past it the bench cleans up and exits 3 (default 2400)
  --cost-only      stop after the cost window (no restart, no kill): for iterating on the per-heartbeat cost
  --cloud-cpu-prof DIR  run the cloud under node --cpu-prof, profiles written to DIR when each process exits
Exits 1 when a killed gateway is not detected within H + 60 s or any other gateway got a case.`;

const { values: a } = parseArgs({
  options: {
    gateways: { type: 'string', default: '10000' },
    'heartbeat-s': { type: 'string', default: '30' },
    'grace-s': { type: 'string', default: '10' },
    'restart-grace-s': { type: 'string', default: '60' },
    'kill-pct': { type: 'string', default: '1' },
    'ramp-per-s': { type: 'string', default: '500' },
    loaders: { type: 'string' },
    'timeout-s': { type: 'string', default: '2400' },
    'cost-only': { type: 'boolean', default: false },
    'cloud-cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = numberArg('bench:supervision', USAGE);
const N = Math.round(num('gateways', a.gateways, 10, 100_000));
const H = Math.round(num('heartbeat-s', a['heartbeat-s'], 5, 3600));
const G = Math.round(num('grace-s', a['grace-s'], 1, 3600));
const RG = Math.round(num('restart-grace-s', a['restart-grace-s'], 1, 3600));
const KILL = Math.max(1, Math.round((N * num('kill-pct', a['kill-pct'], 0.01, 50)) / 100));
const RAMP = num('ramp-per-s', a['ramp-per-s'], 1, 100_000);
const LOADERS = Math.round(num('loaders', a.loaders ?? String(Math.ceil(N / 5000)), 1, 16));
const TIMEOUT_S = num('timeout-s', a['timeout-s'], 60, 86_400);
const POLL_MS = 1000;
/** supervision.outageGapS of the bench's cloud; the restart keeps it down longer than this and H + G. */
const OUTAGE_GAP_S = 15;
const DOWN_S = Math.max(H + G + 5, OUTAGE_GAP_S + 10);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error(`bench:supervision: DATABASE_URL is unset\n${USAGE}`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const benchStart = Date.now();
/** A progress line (the result lines have no prefix). */
const progress = (msg: string) =>
  console.log(`  [${((Date.now() - benchStart) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const sum = <T extends Record<K, number>, K extends keyof T>(xs: readonly T[], k: K) =>
  xs.reduce((n, x) => n + x[k], 0);
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'NaN');
const pct = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
execFileSync('sh', ['-c', 'ulimit -Hn']);

// ── database, cloud process ──────────────────────────────────────────────────────────────────────────
const dbName = `anju_sup_bench_${randomBytes(5).toString('hex')}`;
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
const dir = await mkdtemp(join(tmpdir(), 'anju-sup-bench-'));
const configFile = join(dir, 'cloud.json');
writeFileSync(
  configFile,
  JSON.stringify({
    supervision: {
      defaultHeartbeatIntervalS: H,
      graceS: G,
      restartGraceS: RG,
      pollIntervalMs: POLL_MS,
      // Not the 5 s it was: on a loaded machine a tick came 6–9 s late, was taken for a cloud outage,
      // and every unheard gateway's deadline moved again.
      outageGapS: OUTAGE_GAP_S,
    },
  }),
);
const mqttPort = await freePort();
const httpPort = await freePort();
const startCloud = () =>
  startCloudProcess({
    dataDir: join(dir, 'pglite-unused'),
    databaseUrl: dbUrl,
    apiToken: 'sup-bench-token-0123456789',
    configFile,
    logLevel: 'info',
    mqttPort,
    httpPort,
    wrap: ULIMIT,
    nodeArgs: a['cloud-cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', a['cloud-cpu-prof']] : [],
  });
const dropDb = async () => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
};
let cloud: CloudProc = await startCloud().catch(async (err: unknown) => {
  await dropDb(); // a failed start leaves no database behind
  throw err;
});
const db = new pg.Client({ connectionString: dbUrl });
await db.connect();

// ── N homes straight into the database ───────────────────────────────────────────────────────────────
const tag = randomBytes(3).toString('hex');
const homes: (LoaderGateway & { index: number })[] = [];
for (let start = 0; start < N; start += 1000) {
  const batch = Array.from({ length: Math.min(1000, N - start) }, (_, j) => start + j);
  const secrets = batch.map(() => generateSecret());
  const hashes = await Promise.all(secrets.map((s) => hashSecret(s)));
  const residentIds = batch.map((i) => `res-${tag}-${i}`);
  const gatewayIds = batch.map((i) => `gw-${tag}-${i}`);
  await db.query(
    `INSERT INTO residents (id, name, address) SELECT id, 'R ' || id, 'Road ' || id FROM unnest($1::text[]) AS id`,
    [residentIds],
  );
  await db.query(
    `INSERT INTO gateways (id, resident_id, secret_hash) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [gatewayIds, residentIds, hashes],
  );
  for (const [j, i] of batch.entries()) {
    homes.push({ index: i, gatewayId: gatewayIds[j]!, residentId: residentIds[j]!, secret: secrets[j]! });
  }
}

// ── load generators (bench/fleet-loader.ts) ──────────────────────────────────────────────────────────
const loaders = spawnLoaders(LOADERS, homes);

/** Every cloud log line of the run (both processes), kept for a look after the bench. */
const logFile = join(tmpdir(), `anju-sup-bench-cloud-${tag}.ndjson`);
const cloudLines: unknown[][] = [];
async function cleanup(): Promise<void> {
  if (!cloudLines.includes(cloud.lines)) cloudLines.push(cloud.lines);
  writeFileSync(
    logFile,
    cloudLines
      .flat()
      .map((l) => JSON.stringify(l))
      .join('\n'),
  );
  console.log(`cloud log: ${logFile}`);
  for (const l of loaders) l.proc.send?.({ type: 'stop' } satisfies LoaderRequest);
  await sleep(500);
  for (const l of loaders) l.proc.kill('SIGKILL');
  await Promise.race([cloud.stop(), sleep(15_000)]);
  await cloud.kill9();
  await db.end().catch(() => {});
  await dropDb();
  await rm(dir, { recursive: true, force: true });
}
let cleaned: Promise<void> | undefined;
const cleanupOnce = () => {
  cleaned ??= cleanup().catch((err: unknown) => console.error('bench:supervision: cleanup failed', err));
  return cleaned;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => void cleanupOnce().then(() => process.exit(130)));
// A hard limit: whatever hangs (a loader, the database, the cloud), the run ends and cleans up.
setTimeout(() => {
  console.error(`bench:supervision: over --timeout-s ${TIMEOUT_S}: stopping`);
  void cleanupOnce().then(() => process.exit(3));
}, TIMEOUT_S * 1000).unref();

const silentCases = async (since: Date) =>
  (
    await db.query<{ gateway_id: string; opened_at: Date }>(
      `SELECT e.gateway_id, c.opened_at FROM cases c JOIN events e ON e.case_id = c.id
       WHERE c.kind = 'device_health' AND c.fault_key LIKE 'gateway_silent:%' AND c.opened_at >= $1
         AND e.evidence->>'faultState' = 'raised'`,
      [since],
    )
  ).rows;
const metric = async (name: string) => {
  const text = await (await fetch(`${cloud.httpUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? 0);
};

try {
  const t0 = Date.now();
  await Promise.all(
    loaders.map((l) =>
      ask(
        l,
        {
          type: 'connect',
          mqttUrl: cloud.mqttUrl,
          gateways: l.gateways,
          rampPerS: RAMP / LOADERS,
          heartbeatMs: H * 1000,
          // As the gateway sends them: the cost measured is the cost of the real fleet's traffic.
          heartbeatQos: 0,
          keepaliveS: 30,
          holdHeartbeats: true,
        },
        'connected',
      ),
    ),
  );
  // The links' own cost first (connections, keepalive pings, idle timers: what any MQTT fleet costs),
  // then with heartbeats and supervision: the difference is what supervising them costs.
  const pid = cloud.child.pid!;
  await sleep(5_000); // the connects' own writes settle
  const linksWindowS = Math.max(30, H);
  progress(`cost: ${N} links open, no heartbeats yet; measuring the links alone for ${linksWindowS} s`);
  const linksA = procCpu(pid);
  await sleep(linksWindowS * 1000);
  const linksB = procCpu(pid);
  await Promise.all(loaders.map((l) => ask(l, { type: 'beat' }, 'beating')));
  // Every gateway heard at least once (its deadline set), then a quiet window for the cost.
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM gateways WHERE silent_due_at IS NOT NULL',
    );
    if (rows[0]!.n >= N) break;
    if (Date.now() - t0 > 600_000) throw new Error(`only ${rows[0]!.n}/${N} gateways heartbeated`);
    await sleep(1000);
  }
  console.log(
    `setup: ${N} gateways connected and heartbeating every ${H} s in ${f1((Date.now() - t0) / 1000)} s`,
  );
  const cpuA = procCpu(pid);
  const tickA = await metric('anju_supervision_tick_seconds_total');
  await sleep(Math.max(30, 2 * H) * 1000);
  const cpuB = procCpu(pid);
  const tickB = await metric('anju_supervision_tick_seconds_total');
  const windowS = (cpuB.at - cpuA.at) / 1000;
  const cloudPct = cpuPct(cpuA, cpuB);
  const linksPct = cpuPct(linksA, linksB);
  const supervisionPct = cloudPct - linksPct;
  const tickPct = ((tickB - tickA) / windowS) * 100;
  console.log(
    `cost: cloud process CPU ${f1(cloudPct)} % of one core (user ${f1(cpuPct(cpuA, cpuB, 'user'))} %, system ${f1(cpuPct(cpuA, cpuB, 'sys'))} %) over ${f1(windowS)} s at ${f1(N / H)} heartbeats/s ` +
      `(everything the process did: MQTT, heartbeat validation and its batched write, supervision ticks, idle timers — an upper bound of the supervision cost); ` +
      `supervision ticks ${f1(tickPct)} % of wall time, database waits included (${f1(((tickB - tickA) * 1000) / (windowS / (POLL_MS / 1000)))} ms per tick)`,
  );
  console.log(
    `cost: the same ${N} links without heartbeats ${f1(linksPct)} % (user ${f1(cpuPct(linksA, linksB, 'user'))} %, system ${f1(cpuPct(linksA, linksB, 'sys'))} %) over ${f1((linksB.at - linksA.at) / 1000)} s; ` +
      `supervising them (heartbeats received, validated and written, ticks) ${f1(supervisionPct)} % of one core`,
  );

  if (a['cost-only']) {
    console.log(
      `supervision-bench-cost gateways=${N} heartbeat_s=${H} cloud_cpu_pct=${f1(cloudPct)} links_cpu_pct=${f1(linksPct)} supervision_cpu_pct=${f1(supervisionPct)} supervision_tick_pct=${f1(tickPct)}`,
    );
    await cleanupOnce();
    process.exit(0);
  }

  // ── 2. a cloud restart in the middle, down longer than H + G ─────────────────────────────────────
  const restartAt = new Date();
  await cloud.stop();
  cloudLines.push(cloud.lines);
  await sleep(DOWN_S * 1000);
  cloud = await startCloud();
  const upAt = Date.now();
  // How many gateways are heard again and how long that takes, watched past the restart deadline of an
  // unheard gateway (restart + restartGraceS + H + G): any case by then is a restart false alarm.
  const watchS = RG + H + G + 10;
  let heardAgain = 0;
  let allHeardS = Number.NaN;
  let lastProgress = Date.now();
  while (Date.now() < upAt + watchS * 1000 + 2 * POLL_MS) {
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM gateways WHERE last_heartbeat_at > $1',
      [new Date(upAt)],
    );
    heardAgain = rows[0]!.n;
    if (heardAgain >= N && Number.isNaN(allHeardS)) {
      allHeardS = (Date.now() - upAt) / 1000;
      progress(`restart: all ${N} gateways heard again ${f1(allHeardS)} s after the cloud was up`);
    }
    if (Date.now() - lastProgress >= 10_000) {
      lastProgress = Date.now();
      progress(`restart: ${heardAgain}/${N} heard again after ${f1((Date.now() - upAt) / 1000)} s`);
    }
    await sleep(1000);
  }
  const restartFalse = (await silentCases(restartAt)).length;
  const st = await Promise.all(loaders.map((l) => ask(l, { type: 'status' }, 'status')));
  const refusals = new Map<string, number>();
  for (const l of cloud.lines)
    if (typeof l.msg === 'string' && l.msg.startsWith('mqtt connect refused'))
      refusals.set(String(l.reason), (refusals.get(String(l.reason)) ?? 0) + 1);
  const clientErrors = new Map<string, number>();
  for (const e of st.flatMap((x) => Object.entries(x.failures)))
    clientErrors.set(e[0], (clientErrors.get(e[0]) ?? 0) + e[1]);
  console.log(
    `restart: cloud down ${DOWN_S} s (> H + G); heard again ${heardAgain}/${N}` +
      (heardAgain >= N ? `, all within ${f1(allHeardS)} s of the cloud being up` : ` after ${watchS} s`) +
      `; watched ${watchS} s (restartGraceS ${RG} + H + G + 10): ${restartFalse} gateway_silent cases`,
  );
  console.log(
    `restart: load generator ${sum(st, 'connected')} connected, ${sum(st, 'gaveUp')} gave up, ` +
      `${sum(st, 'stale')} connected without a heartbeat sent for 2 H; client errors ${JSON.stringify(Object.fromEntries(clientErrors))}; ` +
      `cloud refused ${JSON.stringify(Object.fromEntries(refusals))}; daily summaries shed ${await metric('anju_telemetry_messages_shed_total')}`,
  );

  // ── 3. kill 1 % at once ──────────────────────────────────────────────────────────────────────────
  const victims = homes.filter((_, i) => i % Math.floor(N / KILL) === 0).slice(0, KILL);
  const victimIds = new Set(victims.map((v) => v.gatewayId));
  const killStart = new Date();
  const killed = await Promise.all(
    loaders.map((l) =>
      ask(
        l,
        {
          type: 'kill',
          gatewayIds: l.gateways.filter((g) => victimIds.has(g.gatewayId)).map((g) => g.gatewayId),
        },
        'killed',
      ),
    ),
  );
  const killedAt = Math.min(...killed.map((k) => k.killedAt));
  const deadline = Date.now() + (H + 60) * 1000;
  let found = await silentCases(killStart);
  while (Date.now() < deadline) {
    found = await silentCases(killStart);
    if (found.filter((c) => victimIds.has(c.gateway_id)).length >= KILL) break;
    await sleep(1000);
  }
  await sleep(2 * POLL_MS + 2000); // anything late or extra shows up now
  found = await silentCases(killStart);
  const detectedIds = new Set(found.filter((c) => victimIds.has(c.gateway_id)).map((c) => c.gateway_id));
  const perGateway = new Map<string, number>();
  for (const c of found) perGateway.set(c.gateway_id, (perGateway.get(c.gateway_id) ?? 0) + 1);
  const duplicates = [...perGateway.values()].filter((n) => n > 1).length;
  const falseAlarms = found.filter((c) => !victimIds.has(c.gateway_id)).length;
  const detectS = found
    .filter((c) => victimIds.has(c.gateway_id))
    .map((c) => (c.opened_at.getTime() - killedAt) / 1000)
    .sort((x, y) => x - y);
  const withinBound = detectS.filter((s) => s <= H + 60).length;
  console.log(
    `kill: ${KILL} gateways killed at once; detection after kill p50 ${f1(pct(detectS, 50))} s, p99 ${f1(pct(detectS, 99))} s, max ${f1(detectS.at(-1) ?? Number.NaN)} s ` +
      `(bound H + 60 = ${H + 60} s: ${withinBound}/${KILL} within); duplicate cases ${duplicates}`,
  );
  console.log(
    `supervision-bench gateways=${N} killed=${KILL} detected=${detectedIds.size} p99_detect_s=${f1(pct(detectS, 99))} ` +
      `false_alarms=${falseAlarms} restart_false_alarms=${restartFalse} heard_again=${heardAgain} heard_again_s=${f1(allHeardS)} ` +
      `cloud_cpu_pct=${f1(cloudPct)} links_cpu_pct=${f1(linksPct)} supervision_cpu_pct=${f1(supervisionPct)} supervision_tick_pct=${f1(tickPct)}`,
  );
  const failed = [
    ...(detectedIds.size < KILL || withinBound < KILL
      ? [`${KILL - withinBound} of ${KILL} killed gateways not detected within H + 60 s`]
      : []),
    ...(falseAlarms + restartFalse > 0 ? [`${falseAlarms + restartFalse} false alarms`] : []),
  ];
  if (failed.length > 0) {
    console.error(`bench:supervision: FAILED: ${failed.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await cleanupOnce();
}

/** The process's CPU ticks (user, system) from /proc: system time includes the kernel's loopback TCP work. */
function procCpu(pid: number): { user: number; sys: number; at: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), sys: Number(fields[12]), at: performance.now() };
}
/** Percent of one core between two readings, of `part` ('user', 'sys') or both. */
function cpuPct(
  a0: ReturnType<typeof procCpu>,
  a1: ReturnType<typeof procCpu>,
  part?: 'user' | 'sys',
): number {
  const ticks = (x: ReturnType<typeof procCpu>) => (part ? x[part] : x.user + x.sys);
  return ((ticks(a1) - ticks(a0)) / 100 / ((a1.at - a0.at) / 1000)) * 100;
}
