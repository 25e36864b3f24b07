/**
 * The cloud's limits against one client, on an in-process cloud (PGlite) with real MQTT and HTTP:
 * oversize MQTT packets and bodies, text the database cannot store, the per-gateway rate (held PUBACKs,
 * refusals a real forwarder recovers from, urgent events never refused) and the per-client REST rate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, topics } from '../../contracts/src/index.ts';
import { systemClock } from '../../edge/src/clock.ts';
import { MqttForwarder } from '../../edge/src/forwarder/mqtt-forwarder.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { FileOutbox } from '../../edge/src/outbox/file-outbox.store.ts';
import {
  alertEvent,
  type Home,
  startTestCloud,
  type TestCloud,
  type TestCloudOptions,
  waitFor,
} from '../cloud/cloud-fixture.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cloudWith(limits: NonNullable<TestCloudOptions['config']>['limits'], apiToken?: string) {
  const t = await startTestCloud('pglite', { config: { limits }, ...(apiToken ? { apiToken } : {}) });
  cleanups.push(() => t.close());
  return { t, home: await t.enrol() };
}

const storedIds = async (t: TestCloud, ids: string[]) =>
  (await t.db.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1)', [ids])).rows.length;

/** A real gateway's outbox and forwarder, in this process, pointed at the test cloud. */
function gatewayFor(t: TestCloud, home: Home) {
  const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'limits-outbox-')), silentLogger);
  const forwarder = new MqttForwarder({
    url: t.cloud.mqttUrl,
    gatewayId: home.gatewayId,
    secret: home.secret,
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    store: outbox,
    log: silentLogger,
    clock: systemClock,
  });
  cleanups.push(() => forwarder.stop());
  return { outbox, forwarder };
}

describe('MQTT limits of the cloud broker', () => {
  it('closes a connection that sends a packet above the limit before reading it, counts it, and serves the gateway again', async () => {
    const { t, home } = await cloudWith({ mqttMaxPayloadBytes: 4096 });
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const gone = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topics.events(home.gatewayId), Buffer.alloc(64 * 1024, 0x41), { qos: 1 }, () => {});
    await gone;
    expect(await t.metric('anju_mqtt_refused_total', { reason: 'too_large' })).toBe(1);
    const again = await t.connectGateway(home.gatewayId, home.secret);
    const ev = alertEvent(home);
    await again.publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 });
    expect(await storedIds(t, [ev.id])).toBe(1);
  });

  it('acknowledges and counts (too_large, bad_text) what it can read but never store, so the gateway moves on to the next event', async () => {
    const { t, home } = await cloudWith({ mqttMaxPayloadBytes: 64 * 1024 });
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const topic = topics.events(home.gatewayId);
    await c.publishAsync(
      topic,
      JSON.stringify(alertEvent(home, { evidence: { note: 'x'.repeat(MAX_PAYLOAD_BYTES) } })),
      { qos: 1 },
    );
    await c.publishAsync(topic, JSON.stringify(alertEvent(home, { evidence: { note: 'a\u0000b' } })), {
      qos: 1,
    });
    const good = alertEvent(home);
    await c.publishAsync(topic, JSON.stringify(good), { qos: 1 });
    expect(await t.metric('anju_ingest_rejected_total', { reason: 'too_large' })).toBe(1);
    expect(await t.metric('anju_ingest_rejected_total', { reason: 'bad_text' })).toBe(1);
    expect(await t.metric('anju_ingest_errors_total', { topic: 'events' })).toBe(0);
    expect(await storedIds(t, [good.id])).toBe(1);
  });

  it('paces a gateway over its rate by holding PUBACKs: a real forwarder delivers a backlog in order, none refused', async () => {
    const { t, home } = await cloudWith({ gatewayMessagesPerS: 4, gatewayBurst: 2, gatewayMaxWaitMs: 2000 });
    const { outbox, forwarder } = gatewayFor(t, home);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const e = alertEvent(home, { kind: 'vitals', severity: 'info', evidence: { n: i } });
      await outbox.append(e);
      ids.push(e.id);
    }
    const started = Date.now();
    forwarder.start();
    await waitFor(async () => outbox.size() === 0, 30_000, 'backlog delivered');
    const tookMs = Date.now() - started;
    // 8 beyond the burst at 4/s: at least 2 s, whatever the machine's load.
    expect(tookMs).toBeGreaterThanOrEqual(1900);
    expect(
      await t.metric('anju_mqtt_rate_limited_total', { topic: 'events', outcome: 'delayed' }),
    ).toBeGreaterThan(0);
    expect(await t.metric('anju_mqtt_rate_limited_total', { topic: 'events', outcome: 'refused' })).toBe(0);
    const rows = await t.db.query<{ id: string }>(
      'SELECT id FROM events WHERE id = ANY($1) ORDER BY received_at, id',
      [ids],
    );
    expect(rows.rows.map((r) => r.id)).toEqual(ids);
    console.log(`rate limit: 10 events at 4/s (burst 2) delivered in ${tookMs} ms, in order, none refused`);
  });

  it('refuses without PUBACK a client too far ahead (telemetry only) — the forwarder resends later and loses nothing; urgent events always pass', async () => {
    const { t, home } = await cloudWith({ gatewayMessagesPerS: 10, gatewayBurst: 2, gatewayMaxWaitMs: 0 });
    // Urgent events from a raw client, far past the rate: every one acknowledged and stored.
    const raw = await t.connectGateway(home.gatewayId, home.secret);
    const urgent = Array.from({ length: 15 }, () => alertEvent(home, { kind: 'sos', severity: 'critical' }));
    await Promise.all(
      urgent.map((e) => raw.publishAsync(topics.events(home.gatewayId), JSON.stringify(e), { qos: 1 })),
    );
    expect(
      await storedIds(
        t,
        urgent.map((e) => e.id),
      ),
    ).toBe(15);
    // Telemetry from the real gateway code with the bucket in debt: refused, resent, all delivered.
    const { outbox, forwarder } = gatewayFor(t, home);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const e = alertEvent(home, { kind: 'vitals', severity: 'info', evidence: { n: i } });
      await outbox.append(e);
      ids.push(e.id);
    }
    forwarder.start();
    await waitFor(async () => outbox.size() === 0, 30_000, 'telemetry delivered after refusals');
    expect(await storedIds(t, ids)).toBe(8);
    const refused = await t.metric('anju_mqtt_rate_limited_total', { topic: 'events', outcome: 'refused' });
    expect(refused).toBeGreaterThan(0);
    expect(forwarder.stats.failures + forwarder.stats.connects).toBeGreaterThan(1);
    console.log(
      `rate limit: 15 urgent passed in debt; 8 telemetry delivered after ${refused} refusals (no PUBACK, resent)`,
    );
  });
});

describe('REST limits', () => {
  const TOKEN = 'limits-token-0123456789';

  it('refuses a body above httpBodyLimitBytes with 413 and a stable code', async () => {
    const { t } = await cloudWith({ httpBodyLimitBytes: 2048 }, TOKEN);
    const r = await t.api('POST', '/residents', { name: '王', address: 'x'.repeat(3000) });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('CLOUD_BODY_TOO_LARGE');
    expect((await t.api('POST', '/residents', { name: '王' })).status).toBe(201);
  });

  it('answers 429 CLOUD_RATE_LIMITED past the per-client rate, counts it, and keeps other clients apart', async () => {
    const { t } = await cloudWith({ apiRequestsPerMinute: 8 }, TOKEN);
    // enrol used 3 requests of this token's 8.
    for (let i = 0; i < 5; i++) expect((await t.api('GET', '/cases')).status).toBe(200);
    const limited = await t.api('GET', '/cases');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('CLOUD_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client (the open routes, keyed by address) has its own budget.
    expect((await fetch(`${t.cloud.httpUrl}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${t.cloud.httpUrl}/metrics`)).text();
    expect(metrics).toContain('anju_http_rate_limited_total 1');
  });
});
