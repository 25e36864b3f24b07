/**
 * Test fixture for the cloud integration suites: the real cloud (fastify + aedes over TCP on ephemeral
 * ports) in-process, on embedded PGlite and — when DATABASE_URL is set — on a fresh PostgreSQL database
 * created for the suite and dropped after it. Clients are real mqtt.js connections and real HTTP requests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { type RunningCloud, type StartCloudOptions, startCloud } from '../../cloud/src/app.ts';
import type { CloudConfig } from '../../cloud/src/config/index.ts';
import { type DeepPartial, loadConfig } from '../../cloud/src/config/index.ts';
import {
  type Db,
  IN_MEMORY,
  MIGRATIONS_DIR,
  migrate,
  openPgliteDb,
  openPostgresDb,
  readMigrations,
} from '../../cloud/src/db/index.ts';
import { type AlertEvent, type Heartbeat, newEventId } from '../../contracts/src/index.ts';
import { waitFor as waitForState } from '../../tools/harness/net.ts';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL points at a server we may create databases on. */
export const backends: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  db: Db;
  /** Closes the connection and, for PostgreSQL, drops the database. */
  dispose(): Promise<void>;
}

/**
 * A PGlite data dir with the migrations applied, cached as a tarball in the temp dir (keyed by the
 * migrations' content) so each suite starts in ~1 s instead of running initdb (~5 s).
 */
async function pgliteTemplate(): Promise<Blob> {
  const migrations = await readMigrations(MIGRATIONS_DIR);
  const key = createHash('sha256').update(JSON.stringify(migrations)).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `anju-cloud-pglite-template-${key}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const fresh = await openPgliteDb({ dataDir: IN_MEMORY });
    await migrate(fresh, migrations);
    const dump = await fresh.dump();
    await fresh.close();
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
    await rename(tmp, file); // atomic: a parallel worker sees either no file or a whole one
    return dump;
  }
}

export async function openTestDb(backend: Backend): Promise<TestDb> {
  if (backend === 'pglite') {
    const db = await openPgliteDb({ dataDir: IN_MEMORY, loadDataDir: await pgliteTemplate() });
    return { db, dispose: () => db.close() };
  }
  const adminUrl = process.env.DATABASE_URL!;
  const name = `anju_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgresDb(url.toString(), { max: 5 });
  return {
    db,
    async dispose() {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface TestCloudOptions {
  apiToken?: string;
  notifiers?: StartCloudOptions['notifiers'];
  /** Wraps the database the cloud sees (slow or failing DB). */
  wrapDb?: (db: Db) => Db;
  config?: DeepPartial<CloudConfig>;
  /** The clock cases and timers read (tests of deadlines move it by hand). */
  clock?: StartCloudOptions['clock'];
}

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

export interface TestCloud {
  cloud: RunningCloud;
  /** The unwrapped database, for assertions straight in SQL. */
  db: Db;
  /** Every log line the cloud wrote (JSON), to assert on what is — and is not — logged. */
  logs: string[];
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  connectGateway(gatewayId: string, secret: string, opts?: mqtt.IClientOptions): Promise<MqttClient>;
  /** Registers resident + guardians + gateway through the API. */
  enrol(opts?: { guardians?: { name: string; phone: string; language: 'zh-CN' | 'en' }[] }): Promise<Home>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface Home {
  residentId: string;
  gatewayId: string;
  secret: string;
  guardianIds: string[];
}

export async function startTestCloud(backend: Backend, opts: TestCloudOptions = {}): Promise<TestCloud> {
  const testDb = await openTestDb(backend);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = pino({ level: 'debug', base: { service: 'anju-cloud' } }, sink);
  const config = loadConfig({
    env: {}, // the process environment (DATABASE_URL!) must not leak into the config under test
    overrides: {
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { host: '127.0.0.1', port: 0 },
      database: { dataDir: IN_MEMORY },
      ...(opts.apiToken ? { apiToken: opts.apiToken } : {}),
      ...opts.config,
    },
  });
  const cloud = await startCloud(config, {
    logger,
    db: opts.wrapDb ? opts.wrapDb(testDb.db) : testDb.db,
    ...(opts.notifiers ? { notifiers: opts.notifiers } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const clients: MqttClient[] = [];
  const auth: Record<string, string> = opts.apiToken ? { authorization: `Bearer ${opts.apiToken}` } : {};

  const api: TestCloud['api'] = async (method, path, body, headers = {}) => {
    const res = await fetch(cloud.httpUrl + path, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers, text };
  };

  let homes = 0;
  return {
    cloud,
    db: testDb.db,
    logs,
    api,
    async connectGateway(gatewayId, secret, o = {}) {
      const c = await mqtt.connectAsync(cloud.mqttUrl, {
        username: gatewayId,
        password: secret,
        clientId: `${gatewayId}-${randomBytes(3).toString('hex')}`,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...o,
      });
      clients.push(c);
      return c;
    },
    async enrol(o = {}) {
      homes++;
      const r = await api('POST', '/residents', { name: `Resident ${homes}`, language: 'zh-CN' });
      if (r.status !== 201) throw new Error(`POST /residents ${r.status} ${r.text}`);
      const guardianIds: string[] = [];
      for (const g of o.guardians ?? [
        { name: 'Daughter', phone: '+8613800000001', language: 'zh-CN' as const },
      ]) {
        const gr = await api('POST', `/residents/${r.body.id}/guardians`, g);
        if (gr.status !== 201) throw new Error(`POST guardians ${gr.status} ${gr.text}`);
        guardianIds.push(gr.body.id);
      }
      const gatewayId = `gw-${homes}-${randomBytes(3).toString('hex')}`;
      const gw = await api('POST', '/gateways', { id: gatewayId, residentId: r.body.id });
      if (gw.status !== 201) throw new Error(`POST /gateways ${gw.status} ${gw.text}`);
      return { residentId: r.body.id, gatewayId, secret: gw.body.secret, guardianIds };
    },
    async metric(name, labels = {}) {
      const text = (await api('GET', '/metrics')).text;
      return readMetric(text, name, labels);
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.endAsync(true)));
      await cloud.close();
      await testDb.dispose();
    },
  };
}

/** Value of one series in Prometheus text; 0 when absent. */
export function readMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

export function alertEvent(
  home: Pick<Home, 'gatewayId' | 'residentId'>,
  over: Partial<AlertEvent> = {},
): AlertEvent {
  const now = new Date().toISOString();
  return {
    schema: 1,
    id: newEventId(),
    gatewayId: home.gatewayId,
    residentId: home.residentId,
    kind: 'fall',
    severity: 'urgent',
    occurredAt: now,
    detectedAt: now,
    score: { value: 0.93, threshold: 0.8, model: { name: 'fall-cnn', version: '1.0.0' } },
    evidence: { peakG: 3.1, stillS: 12, posture: 'lying' },
    ...over,
  };
}

export function heartbeat(gatewayId: string, over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    schema: 1,
    gatewayId,
    sentAt: new Date().toISOString(),
    agentVersion: '0.1.0',
    uptimeS: 42,
    outboxDepth: 0,
    drivers: { wristband: 'up' },
    models: [{ name: 'fall-cnn', version: '1.0.0' }],
    rssMb: 80,
    cpuPct: 3,
    ...over,
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`): the harness's waitFor. */
export async function waitFor<T>(
  fn: () => Promise<T>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  return (await waitForState(fn, timeoutMs, what)) as NonNullable<T>;
}

/**
 * Waits until every listed gateway has a heartbeat in its row: heartbeats are acknowledged at once but written
 * in the next batched write (≤ 1 s, cloud/src/supervision/heartbeat-batcher.ts).
 */
export async function waitForHeartbeatRows(
  db: { query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }> },
  gatewayIds: readonly string[],
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM gateways WHERE last_heartbeat_at IS NOT NULL AND id = ANY($1::text[])',
        [gatewayIds],
      );
      return (rows[0] as { n: number } | undefined)?.n === gatewayIds.length;
    },
    timeoutMs,
    `a heartbeat in the row of each of ${gatewayIds.length} gateways`,
  );
}
