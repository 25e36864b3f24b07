/**
 * Fault: PostgreSQL restarts under distributed mode (issue 7). Two cloud processes consume from a private
 * Mosquitto (external mode, tests/distributed/fleet-fixture.ts) and write to a private PostgreSQL
 * cluster (tools/harness/postgres-cluster.ts); simulated gateways publish a stream of events while the
 * database is taken down mid-stream — fast, immediate, kill -9 of the postmaster, one per round
 * (ANJU_FAULT_ROUNDS, default 3). Mosquitto acknowledges the gateways at once, so nothing but the
 * consumers keeps an event alive during the outage: they must withhold their PUBACK while the commit
 * fails and take the redelivery when they reconnect. Judged from the database.
 */
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type EventKind, topics } from '../../contracts/src/index.ts';
import { hasMosquitto } from '../../tools/harness/mosquitto.ts';
import { waitFor } from '../../tools/harness/net.ts';
import {
  type PostgresCluster,
  postgresClusterUnavailable,
  startPostgresCluster,
} from '../../tools/harness/postgres-cluster.ts';
import { alertEvent, readMetric } from '../cloud/cloud-fixture.ts';
import {
  closeCases,
  deliveryCounts,
  type Fleet,
  publishEvent,
  startFleet,
} from '../distributed/fleet-fixture.ts';
import { rounds, tally } from './fault-harness.ts';

const ROUNDS = rounds(3);
const MODES = ['fast', 'immediate', 'kill9'] as const;
const HOMES = 6;
const KINDS: readonly EventKind[] = ['fall', 'sos', 'inactivity', 'vitals'];
/** Between two events of the stream: the whole stream (24 events) spans the outage. */
const GAP_MS = 150;
const DOWN_MS = 2500;
const skip =
  postgresClusterUnavailable() || (hasMosquitto ? '' : 'mosquitto is not installed (.ci/run installs it)');

let cluster: PostgresCluster | undefined;
let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.close().catch(() => {});
  await cluster?.close();
}, 60_000);

/** A client for one round's judging: the fixture's long-lived one died with the server. */
async function judge<T>(url: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => {});
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end().catch(() => {});
  }
}

describe.skipIf(skip !== '')(`fault: PostgreSQL restarts under distributed mode ${skip}`, () => {
  it(`${ROUNDS} rounds (${MODES.join(', ')}): consumers withhold acks while it is down, nothing lost, one case per kind`, async () => {
    cluster = await startPostgresCluster();
    const pgc = cluster;
    fleet = await startFleet(pgc.url, { consumers: 2 });
    const f = fleet;
    f.db.on('error', () => {}); // the fixture's client dies with the first restart; rounds use their own
    await Promise.all([f.startCloud('a'), f.startCloud('b')]);
    const homes = await f.enrol(HOMES, 'gw-pgf');
    const residentIds = homes.map((h) => h.residentId);
    const links = new Map<string, MqttClient>();
    for (const h of homes) links.set(h.gatewayId, await f.connect(h));
    const consumed = async (outcome: string) => {
      let n = 0;
      for (const c of f.clouds.values())
        n += readMetric(await (await fetch(`${c.httpUrl}/metrics`)).text(), 'anju_mqtt_consumed_total', {
          outcome,
        });
      return n;
    };

    const allSent: string[] = [];
    const allStored: { id: string }[] = [];
    let duplicateCases = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const mode = MODES[round % MODES.length]!;
      await judge(f.dbUrl, (db) => closeCases(db, residentIds));
      const since = new Date();
      const before = { withheld: await consumed('withheld'), redelivered: await consumed('redelivered') };
      const ids: string[] = [];
      const acks: Promise<unknown>[] = [];
      const total = HOMES * KINDS.length;
      let outage: Promise<number> = Promise.resolve(0);
      let k = 0;
      for (const kind of KINDS) {
        for (const h of homes) {
          const ev = alertEvent(h, { kind });
          ids.push(ev.id);
          acks.push(publishEvent(links.get(h.gatewayId)!, topics.events(h.gatewayId), ev));
          // A quarter of the way in, the database goes away for DOWN_MS while the stream goes on.
          if (++k === Math.floor(total / 4)) {
            outage = (async () => {
              const at = Date.now();
              if (mode === 'kill9') await pgc.kill9();
              else await pgc.stop(mode);
              await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - at))));
              await pgc.start();
              return Date.now() - at;
            })();
          }
          await new Promise((r) => setTimeout(r, GAP_MS));
        }
      }
      await Promise.all(acks);
      const downMs = await outage;
      const counts = await waitFor(
        () =>
          judge(f.dbUrl, async (db) => {
            const c = await deliveryCounts(db, ids, residentIds, since);
            return c.delivered === ids.length ? c : undefined;
          }),
        60_000,
        `round ${round + 1}: every event stored`,
      ).catch(() => judge(f.dbUrl, (db) => deliveryCounts(db, ids, residentIds, since)));
      const stored = await judge(f.dbUrl, async (db) => {
        const r = await db.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1::text[])', [ids]);
        return r.rows;
      });
      const withheld = (await consumed('withheld')) - before.withheld;
      const redelivered = (await consumed('redelivered')) - before.redelivered;
      const t = tally(`fault postgres-restart distributed round=${round + 1} mode=${mode}`, ids, stored, {
        note: `duplicate_cases=${counts.duplicateCases} withheld=${withheld} redelivered=${redelivered} down_ms=${downMs}`,
      });
      allSent.push(...ids);
      allStored.push(...stored);
      duplicateCases += counts.duplicateCases;
      expect(t.lost, t.line).toBe(0);
      expect(counts.duplicateCases, t.line).toBe(0);
      // The outage was felt by the consumers, and what they withheld came back to them.
      expect(withheld, t.line).toBeGreaterThan(0);
      expect(redelivered, t.line).toBeGreaterThan(0);
    }
    const t = tally('fault postgres-restart distributed', allSent, allStored, {
      note: `rounds=${ROUNDS} duplicate_cases=${duplicateCases} clouds_alive=${[...f.clouds.values()].every((c) => c.child.exitCode === null)}`,
    });
    expect(t.lost).toBe(0);
    expect(t.duplicated).toBe(0);
    expect(duplicateCases).toBe(0);
    for (const c of f.clouds.values()) expect(c.child.exitCode, 'cloud survived').toBeNull();
  }, 400_000);
});
