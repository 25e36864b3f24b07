/**
 * Distributed mode on real servers: a Mosquitto of our own (tools/harness/mosquitto.ts) with the password
 * file and ACL written by `anju-cloud mosquitto-config`, cloud processes (`anju-cloud serve`, mqtt.mode
 * external) on one fresh PostgreSQL database, and simulated gateways as real MQTT 5 connections.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import type { LimitsConfig } from '../../cloud/src/config/index.ts';
import { isNotDelivered, publishQos1 } from '../../edge/src/forwarder/puback-reason.ts';
import { hasMosquitto, startMosquitto, type TestMosquitto } from '../../tools/harness/mosquitto.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { apiClient, type CloudProc, Proc, ROOT, startCloudProcess } from '../../tools/harness/processes.ts';

/** The PostgreSQL server a fleet creates its database on. */
export const FLEET_DB_URL = process.env.DATABASE_URL;
/** Why a fleet test cannot run here ('' when it can): for `describe.skipIf` and the suite's title. */
export const FLEET_SKIP = !FLEET_DB_URL
  ? 'skipped: DATABASE_URL is unset (needs a PostgreSQL server)'
  : !hasMosquitto
    ? 'skipped: mosquitto is not installed'
    : '';

export const TOKEN = 'distributed-token-0123456789';
export const CLOUD_PASSWORD = 'cloud-broker-password-0123456789';

export interface FleetHome {
  residentId: string;
  gatewayId: string;
  secret: string;
}

export interface Fleet {
  dbUrl: string;
  db: pg.Client;
  broker: TestMosquitto;
  clouds: Map<string, CloudProc>;
  /** Starts (or restarts, same client id) cloud process `name` ('a' or 'b': the broker knows their users). */
  startCloud(name: string): Promise<CloudProc>;
  api(): ReturnType<typeof apiClient>;
  /** Registers homes through the API, regenerates Mosquitto's files and reloads it. */
  enrol(n: number, prefix: string): Promise<FleetHome[]>;
  /** A gateway's MQTT 5 connection to the broker (persistent session, resends unacknowledged publishes). */
  connect(home: FleetHome, o?: mqtt.IClientOptions): Promise<MqttClient>;
  close(): Promise<void>;
}

/** The cloud processes a fleet may start; each is a broker user per consumer session (`cloud-a-0` …). */
const CLOUD_NAMES = ['a', 'b'] as const;
const cloudClientId = (name: string) => `cloud-${name}`;

/** Runs `anju-cloud mosquitto-config --out <dir>` against the database, as an operator would. */
async function writeMosquittoFiles(
  dbUrl: string,
  out: string,
  configFile: string,
  consumers: number,
): Promise<void> {
  const args = [
    ...['bin/anju-cloud.js', 'mosquitto-config', '--out', out, '--config', configFile],
    ...['--cloud-client-ids', CLOUD_NAMES.map(cloudClientId).join(',')],
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      ANJU_MQTT_PASSWORD: CLOUD_PASSWORD,
      ANJU_MQTT_CONSUMERS: String(consumers),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc('mosquitto-config', child);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`mosquitto-config failed (${code}): ${proc.stderr.join('\n')}`);
}

export async function startFleet(
  adminUrl: string,
  /** `limits`: the cloud config's `limits:`, for the clouds and for Mosquitto's files alike. */
  /** `config`: more of the clouds' config file (e.g. `supervision:`). */
  o: { consumers?: number; limits?: LimitsConfig; config?: Record<string, unknown> } = {},
): Promise<Fleet> {
  const consumers = o.consumers ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'anju-fleet-'));
  const name = `anju_fleet_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const dbUrl = u.toString();
  const dropDb = async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
    rmSync(dir, { recursive: true, force: true });
  };
  const authDir = join(dir, 'mosquitto-auth');
  const configFile = join(dir, 'cloud.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({
      escalation: { pollIntervalMs: 1000 },
      ...(o.limits ? { limits: o.limits } : {}),
      ...o.config,
    }),
  );
  let broker: TestMosquitto;
  const db = new pg.Client({ connectionString: dbUrl });
  try {
    await writeMosquittoFiles(dbUrl, authDir, configFile, consumers); // migrates; only the cloud's users so far
    broker = await startMosquitto({ authConfFile: join(authDir, 'anju-auth.conf') });
    await db.connect();
  } catch (err) {
    await dropDb(); // a failed start leaves no database behind
    throw err;
  }
  const clouds = new Map<string, CloudProc>();
  const clients: MqttClient[] = [];
  const fleet: Fleet = {
    dbUrl,
    db,
    broker,
    clouds,
    async startCloud(cloudName) {
      if (!(CLOUD_NAMES as readonly string[]).includes(cloudName))
        throw new Error(`cloud ${cloudName}: the broker only has users for ${CLOUD_NAMES.join(', ')}`);
      const proc = await startCloudProcess({
        dataDir: join(dir, cloudName),
        databaseUrl: dbUrl,
        apiToken: TOKEN,
        configFile,
        logLevel: 'info',
        env: {
          ANJU_MQTT_MODE: 'external',
          ANJU_MQTT_URL: broker.url,
          ANJU_MQTT_PASSWORD: CLOUD_PASSWORD,
          ANJU_MQTT_CLIENT_ID: cloudClientId(cloudName),
          ANJU_MQTT_SHARED_GROUP: 'anju-test',
          ANJU_MQTT_CONSUMERS: String(consumers),
        },
      });
      clouds.set(cloudName, proc);
      return proc;
    },
    api() {
      const alive = [...clouds.values()].find(
        (c) => c.child.exitCode === null && c.child.signalCode === null,
      );
      if (!alive) throw new Error('no cloud process running');
      return apiClient(alive.httpUrl, TOKEN);
    },
    async enrol(n, prefix) {
      const api = fleet.api();
      const homes: FleetHome[] = [];
      for (let i = 0; i < n; i++) {
        const r = await api.post('/residents', { name: `R${i}`, address: `${i} Road` });
        await api.post(`/residents/${r.body.id}/guardians`, {
          name: 'G',
          phone: `+8613800${String(100000 + homes.length).slice(-6)}`,
          language: 'zh-CN',
        });
        const gw = await api.post('/gateways', { id: `${prefix}-${i}`, residentId: r.body.id });
        if (gw.status !== 201) throw new Error(`register gateway: ${gw.status} ${JSON.stringify(gw.body)}`);
        homes.push({ residentId: r.body.id, gatewayId: gw.body.gatewayId, secret: gw.body.secret });
      }
      await writeMosquittoFiles(dbUrl, authDir, configFile, consumers);
      broker.reload();
      // SIGHUP is handled asynchronously by the broker: done when it lets the last new gateway log in.
      const last = homes.at(-1);
      if (last)
        await waitFor(
          async () => {
            try {
              const probe = await mqtt.connectAsync(broker.url, {
                protocolVersion: 5,
                clientId: last.gatewayId,
                clean: true,
                username: last.gatewayId,
                password: last.secret,
                reconnectPeriod: 0,
                connectTimeout: 2_000,
              });
              await probe.endAsync(true);
              return true;
            } catch {
              return false;
            }
          },
          10_000,
          'the broker accepting the new gateways (config reloaded)',
        );
      return homes;
    },
    async connect(home, opts = {}) {
      const c = await mqtt.connectAsync(broker.url, {
        protocolVersion: 5,
        clientId: home.gatewayId,
        clean: false,
        properties: { sessionExpiryInterval: 3600 },
        username: home.gatewayId,
        password: home.secret,
        reconnectPeriod: 200,
        ...opts,
      });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.endAsync(true)));
      await Promise.allSettled([...clouds.values()].map((c) => c.stop()));
      await broker.close();
      await db.end();
      await dropDb();
    },
  };
  return fleet;
}

/**
 * Publishes an event at QoS 1 the way the gateway's forwarder does on an external broker (the same
 * PUBACK reading, edge/src/forwarder/puback-reason.ts): an MQTT 5 PUBACK with reason 0x10 (no matching
 * subscribers) means the broker accepted the event and DROPPED it, because no cloud consumer was
 * subscribed at that moment (Mosquitto 2.0.11 does not restore shared subscriptions from its persistence
 * file after a restart, so this happens until the cloud re-subscribes). The event is sent again after
 * `retryMs`. Resolves with the number of such refusals.
 */
export async function publishEvent(link: MqttClient, topic: string, ev: { id: string }, retryMs = 200) {
  const payload = JSON.stringify(ev);
  for (let refusals = 0; ; refusals++) {
    if (!isNotDelivered(await publishQos1(link, topic, payload))) return refusals;
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

/** Counts for one run, from the database (the judge). */
export interface DeliveryCounts {
  sent: number;
  /** Events stored with their case. */
  delivered: number;
  lost: number;
  /** Cases beyond one per (resident, kind) opened during the run (each pair gets one event per run). */
  duplicateCases: number;
}

export async function deliveryCounts(
  db: pg.Client,
  eventIds: readonly string[],
  residentIds: readonly string[],
  since: Date,
): Promise<DeliveryCounts> {
  const ev = await db.query<{ delivered: number }>(
    'SELECT count(*)::int AS delivered FROM events WHERE id = ANY($1::text[]) AND case_id IS NOT NULL',
    [eventIds],
  );
  // Each (resident, kind) gets one event per run: a second case for one is a duplicate, whenever it came.
  const dup = await db.query<{ n: number }>(
    `SELECT coalesce(sum(n - 1), 0)::int AS n FROM (
       SELECT count(*) AS n FROM cases WHERE resident_id = ANY($1::text[]) AND opened_at >= $2
       GROUP BY resident_id, kind, test) per_slot`,
    [residentIds, since],
  );
  const { delivered } = ev.rows[0]!;
  return {
    sent: eventIds.length,
    delivered,
    lost: eventIds.length - delivered,
    duplicateCases: dup.rows[0]!.n,
  };
}

/**
 * The counts once every event is stored with its case, or as they stand after `timeoutMs` — so a test
 * asserting on them fails with the numbers (sent, delivered, lost) rather than a timeout.
 */
export async function settledCounts(
  db: pg.Client,
  eventIds: readonly string[],
  residentIds: readonly string[],
  since: Date,
  timeoutMs = 30_000,
): Promise<DeliveryCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await deliveryCounts(db, eventIds, residentIds, since);
    if (c.delivered === eventIds.length || Date.now() > deadline) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { closeCases } from '../../tools/harness/close-cases.ts';
