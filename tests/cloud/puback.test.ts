/**
 * Delivery guarantee at the cloud edge: the gateway deletes an event from its outbox when the PUBACK
 * arrives, so the broker must send the PUBACK only after the event is committed — and never when the
 * commit failed. See the comment on startCloudBroker (cloud/src/mqtt/cloud-broker.ts) for how aedes 1.2
 * orders PUBACK and publish, and why ingest runs in authorizePublish.
 */
import type { Packet } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Queryable } from '../../cloud/src/db/index.ts';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, startTestCloud, type TestCloud, waitFor } from './cloud-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A database whose event writes can be slowed down or made to fail, and that reports each commit: a
 * transaction (commits when it resolves) or a single statement outside one (autocommit: commits when it
 * returns; the hot path opens a case with its event that way).
 */
function controllableDb(inner: Db) {
  const state = { delayMs: 0, failing: false, committedEventIds: new Set<string>() };
  const db: Db = {
    ...inner,
    async query<T>(sql: string, params?: readonly unknown[]) {
      if (!sql.includes('INSERT INTO events')) return inner.query<T>(sql, params);
      if (state.failing) throw new Error('simulated database outage');
      if (state.delayMs > 0) await sleep(state.delayMs); // slow statement
      const r = await inner.query<T>(sql, params);
      if (r.rows.length > 0) state.committedEventIds.add(String(params?.[0]));
      return r;
    },
    exec: (sql) => inner.exec(sql),
    async transaction(fn) {
      if (state.failing) throw new Error('simulated database outage');
      let eventId: string | undefined;
      const result = await inner.transaction(async (tx) => {
        const spy: Queryable = {
          query: (sql, params) => {
            if (sql.includes('INSERT INTO events')) eventId = String(params?.[0]);
            return tx.query(sql, params);
          },
          exec: (sql) => tx.exec(sql),
        };
        const r = await fn(spy);
        if (state.delayMs > 0) await sleep(state.delayMs); // slow COMMIT path
        return r;
      });
      // The transaction has committed when inner.transaction resolves.
      if (eventId) state.committedEventIds.add(eventId);
      return result;
    },
  };
  return { db, state };
}

describe.each(backends)('PUBACK only after commit (%s)', (backend) => {
  let t: TestCloud;
  let ctl: ReturnType<typeof controllableDb>['state'];
  beforeAll(async () => {
    t = await startTestCloud(backend, {
      wrapDb: (inner) => {
        const c = controllableDb(inner);
        ctl = c.state;
        return c.db;
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends the PUBACK for an event only once its row is committed, even when the database is slow', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const ev = alertEvent(home);
    const seenAtPuback: boolean[] = [];
    c.on('packetreceive', (p: Packet) => {
      // Runs synchronously as the PUBACK is parsed: was the event committed by then?
      if (p.cmd === 'puback') seenAtPuback.push(ctl.committedEventIds.has(ev.id));
    });
    ctl.delayMs = 400;
    const started = Date.now();
    try {
      await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 });
    } finally {
      ctl.delayMs = 0;
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(seenAtPuback).toEqual([true]);
    const rows = await t.db.query('SELECT case_id FROM events WHERE id = $1', [ev.id]);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]!.case_id).toEqual(expect.any(String));
  });

  it('withholds the PUBACK and drops the connection when the commit fails; the resend is stored once', async () => {
    const home = await t.enrol();
    // mqtt.js keeps an unacknowledged QoS 1 message and resends it after reconnecting, as our gateway
    // forwarder does from its outbox.
    const c = await t.connectGateway(home.gatewayId, home.secret, { reconnectPeriod: 100 });
    const ev = alertEvent(home);
    const pubacks: number[] = [];
    c.on('packetreceive', (p: Packet) => {
      if (p.cmd === 'puback') pubacks.push(Date.now());
    });
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    const errorsBefore = await t.metric('anju_ingest_errors_total', { topic: 'events' });

    ctl.failing = true;
    let acked = false;
    const publishing = c
      .publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 })
      .then(() => {
        acked = true;
      });
    // The broker closes the connection instead of acknowledging.
    await Promise.race([
      closed,
      sleep(5_000).then(() => Promise.reject(new Error('the broker did not drop the connection'))),
    ]);
    // …and keeps refusing the resends while the database is down: a second failed ingest is a resend refused.
    await waitFor(
      async () => (await t.metric('anju_ingest_errors_total', { topic: 'events' })) >= errorsBefore + 2,
      10_000,
      'a resend refused too',
    );
    expect(acked).toBe(false);
    expect(pubacks).toEqual([]);
    expect((await t.db.query('SELECT 1 FROM events WHERE id = $1', [ev.id])).rows).toHaveLength(0);

    ctl.failing = false; // database back: the next resend commits and is acknowledged
    await publishing;
    expect(pubacks.length).toBeGreaterThanOrEqual(1);
    expect((await t.db.query('SELECT 1 FROM events WHERE id = $1', [ev.id])).rows).toHaveLength(1);
    await waitFor(
      async () => (await t.api('GET', `/cases?residentId=${home.residentId}`)).body.items.length === 1,
    );
    await c.endAsync();
  });
});
