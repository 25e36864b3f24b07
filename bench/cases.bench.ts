/**
 * `npm run bench:cases [-- --db pglite|postgres]` — ingest throughput and event → first SMS request
 * latency (issue 4) at 1, 10 and 100 events/s sustained for BENCH_DURATION_S (10) seconds each.
 *
 * The cloud runs IN-PROCESS with real MQTT over loopback, on embedded PGlite (in memory, default) or on
 * a fresh PostgreSQL database created on the server of DATABASE_URL (`--db postgres`, dropped after).
 * Every resident belongs to a station whose ten workers are on duty around the clock, so each event opens
 * a case that is dispatched to a worker at once; a recording notifier on the one channel every role's
 * text goes out on stamps the first send request per case.
 *
 * What is measured, so that the figure means what it says:
 * - every event opens a NEW case: each event of a rate uses a (home, kind) pair that has no active case
 *   (HOMES × KINDS slots ≥ events of the rate); between rates — outside the timed phase — the bench
 *   closes the active cases of its homes and cancels their timers;
 * - latency = publish of the event → the first SMS request for the case THAT EVENT opened, correlated
 *   by event id → case id after the timed phase (no "latest case" guessing, no bench queries while the
 *   cloud is ingesting);
 * - events_per_s = events PUBACKed (the cloud acks only after the commit) / time to the last PUBACK;
 * - lost = events without a PUBACK, without a case, or whose first text was not requested within
 *   WAIT_MS of the publish.
 * Bounded: each rate waits at most WAIT_MS after its last publish; a watchdog ends the run at 150 s.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { startCloud } from '../cloud/src/app.ts';
import { loadConfig } from '../cloud/src/config/index.ts';
import { IN_MEMORY } from '../cloud/src/db/index.ts';
import type { NotifierFactory } from '../cloud/src/notify/index.ts';
import { type EventKind, newEventId } from '../contracts/src/index.ts';

const { values: args } = parseArgs({
  options: { db: { type: 'string', default: 'pglite' } },
  allowPositionals: false,
});
if (args.db !== 'pglite' && args.db !== 'postgres') throw new Error('--db must be pglite or postgres');
const backend: 'pglite' | 'postgres' = args.db;

const RATES = (process.env.BENCH_RATES ?? '1,10,100').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WAIT_MS = 10_000;
/** Kinds that open a case and dispatch a worker; several per home so fewer gateways are needed. */
const KINDS: readonly EventKind[] = ['fall', 'sos', 'inactivity', 'vitals'];
const HOMES = Math.ceil((Math.max(...RATES) * DURATION_S) / KINDS.length);
/** Gateway registration and MQTT connect each cost a hash check: a few at a time. */
const SETUP_CONCURRENCY = 8;

setTimeout(() => {
  console.error('cases-bench: still running after 150 s, giving up');
  process.exit(1);
}, 150_000).unref();

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

/** caseId → performance.now() of the first send request for that case (any recipient). */
const firstSms = new Map<string, number>();
const recording: NotifierFactory = () => ({
  channel: 'bench',
  async send(msg) {
    if (!firstSms.has(msg.caseId)) firstSms.set(msg.caseId, performance.now());
    return {};
  },
});

const cloud = await startCloud(
  loadConfig({
    env: {},
    overrides: {
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { host: '127.0.0.1', port: 0 },
      database: dbUrl ? { url: dbUrl, dataDir: IN_MEMORY } : { dataDir: IN_MEMORY },
      notify: { guardianChannel: 'bench' },
      logLevel: 'silent',
    },
  }),
  { notifiers: { bench: recording }, logger: pino({ level: 'silent' }) },
);
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(cloud.httpUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await r.json()) as any;
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
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
await api('POST', '/stations', { id: stationId, name: 'Bench station' });
for (let i = 0; i < 10; i++) {
  await api('POST', '/workers', {
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
    const r = await api('POST', '/residents', {
      name: `R${i}`,
      address: `${i} Road`,
      stationId,
      lat: 31.2,
      lon: 121.4,
    });
    const gw = await api('POST', '/gateways', { id: `gw-bench-${tag}-${i}`, residentId: r.id });
    const client = await mqtt.connectAsync(cloud.mqttUrl, {
      username: gw.gatewayId,
      password: gw.secret,
      reconnectPeriod: 0,
    });
    return { residentId: r.id as string, gatewayId: gw.gatewayId as string, client };
  },
);
const residentIds = homes.map((h) => h.residentId);
console.log(
  `setup: ${HOMES} homes × ${KINDS.length} kinds, 10 workers on duty, ${((performance.now() - setupT0) / 1000).toFixed(1)} s`,
);

/** Outside the timed phase: finish every active case of the bench homes so each slot is fresh again. */
async function resetHomes(): Promise<void> {
  await cloud.dispatcher.drain();
  await cloud.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE timers SET cancelled_at = now() WHERE fired_at IS NULL AND cancelled_at IS NULL
         AND case_id IN (SELECT id FROM cases WHERE resident_id = ANY($1::text[]))`,
      [residentIds],
    );
    await tx.query(
      `UPDATE cases SET status = 'false_alarm', closed_at = now(), updated_at = now()
       WHERE resident_id = ANY($1::text[]) AND status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm')`,
      [residentIds],
    );
  });
}

const pct = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lines: string[] = [];
for (const rate of RATES) {
  await resetHomes();
  const total = Math.max(1, Math.round(rate * DURATION_S));
  if (total > HOMES * KINDS.length) throw new Error(`rate ${rate}: more events than fresh slots`);
  interface Sent {
    eventId: string;
    at: number;
    ackedAt?: number;
    failed?: boolean;
  }
  const sent: Sent[] = [];
  const acks: Promise<void>[] = [];
  const textsBefore = firstSms.size;
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    // Slot k: home k mod HOMES, kind k div HOMES — never an active case for that resident and kind.
    const h = homes[k % HOMES]!;
    const kind = KINDS[Math.floor(k / HOMES)]!;
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
    const rec: Sent = { eventId: ev.id, at: performance.now() };
    sent.push(rec);
    acks.push(
      h.client.publishAsync(`gw/${h.gatewayId}/events`, JSON.stringify(ev), { qos: 1 }).then(
        () => {
          rec.ackedAt = performance.now();
        },
        () => {
          rec.failed = true;
        },
      ),
    );
  }
  const lastPublish = performance.now();
  // Bounded wait: every PUBACK and one first text per event, or WAIT_MS after the last publish.
  await Promise.race([Promise.allSettled(acks), sleep(WAIT_MS)]);
  while (firstSms.size - textsBefore < total && performance.now() < lastPublish + WAIT_MS) await sleep(20);

  // Untimed: which case did each event open?
  const { rows } = await cloud.db.query<{ id: string; case_id: string | null }>(
    'SELECT id, case_id FROM events WHERE id = ANY($1::text[])',
    [sent.map((s) => s.eventId)],
  );
  const caseOf = new Map(rows.map((r) => [r.id, r.case_id]));
  const eventsPerCase = new Map<string, number>();
  for (const c of caseOf.values()) if (c) eventsPerCase.set(c, (eventsPerCase.get(c) ?? 0) + 1);
  const lat: number[] = [];
  let appended = 0;
  for (const s of sent) {
    const c = caseOf.get(s.eventId);
    if (!c || s.ackedAt === undefined) continue;
    if ((eventsPerCase.get(c) ?? 0) > 1) appended++;
    const t = firstSms.get(c);
    if (t !== undefined && t - s.at <= WAIT_MS) lat.push(t - s.at);
  }
  lat.sort((a, b) => a - b);
  const acked = sent.filter((s) => s.ackedAt !== undefined);
  const lastAck = Math.max(t0, ...acked.map((s) => s.ackedAt!));
  const lost = sent.length - lat.length;
  const eventsPerS = acked.length / ((lastAck - t0) / 1000 || 1);
  console.log(
    `rate ${rate}/s: ${sent.length} events published in ${((lastPublish - t0) / 1000).toFixed(1)} s, ` +
      `${acked.length} PUBACKed, ${caseOf.size} stored, ${lat.length} first texts; ` +
      `p90 ${pct(lat, 90).toFixed(1)} ms, max ${(lat.at(-1) ?? Number.NaN).toFixed(1)} ms` +
      (appended > 0 ? `; INVALID: ${appended} events appended to a shared case` : ''),
  );
  lines.push(
    `cases-bench rate=${rate} events_per_s=${eventsPerS.toFixed(1)} p50_ms=${pct(lat, 50).toFixed(1)} p99_ms=${pct(lat, 99).toFixed(1)} lost=${lost}`,
  );
}

await Promise.allSettled(homes.map((h) => h.client.endAsync(true)));
await cloud.close();
await dropDb?.();
console.log(
  `cloud: in-process, ${backend === 'postgres' ? 'PostgreSQL (fresh database on DATABASE_URL server)' : 'embedded PGlite (memory)'}, ` +
    'real MQTT on loopback; latency = publish → first SMS request of the case the event opened',
);
console.log(`database: ${backend}`);
for (const l of lines) console.log(l);
process.exit(0);
