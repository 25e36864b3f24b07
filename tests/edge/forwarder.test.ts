import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AedesOptions } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEvent, newEventId } from '../../contracts/src/index.ts';
import { systemClock } from '../../edge/src/clock.ts';
import { type ForwarderOptions, MqttForwarder } from '../../edge/src/forwarder/mqtt-forwarder.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { FileOutbox } from '../../edge/src/outbox/file-outbox.store.ts';
import { freePort, selfSignedCert, startRecordingBroker, waitFor } from '../../tools/harness/net.ts';
import { mulberry32 } from '../../tools/random.ts';

/** An urgent event (a critical fall) by default; `telemetry` makes it a vitals/info one. */
const event = (n: number, telemetry = false): AlertEvent => ({
  schema: 1,
  id: newEventId(),
  gatewayId: 'gw-1',
  residentId: 'res-1',
  kind: telemetry ? 'vitals' : 'fall',
  severity: telemetry ? 'info' : 'critical',
  occurredAt: new Date().toISOString(),
  detectedAt: new Date().toISOString(),
  evidence: { n },
});
const nOf = (payload: Buffer | string) => JSON.parse(payload.toString()).evidence.n as number;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function forwarderFor(
  port: number,
  outbox: FileOutbox,
  tls?: { caFile?: string },
  more: Partial<ForwarderOptions> = {},
) {
  const f = new MqttForwarder({
    url: `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    gatewayId: 'gw-1',
    secret: 'secret-123',
    caFile: tls?.caFile,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    store: outbox,
    log: silentLogger,
    clock: systemClock,
    ...more,
  });
  f.start();
  cleanups.push(() => f.stop());
  return f;
}

describe('MQTT forwarder (against a real aedes broker)', () => {
  it('keeps events on disk while the cloud is down and delivers them in order when it returns', async () => {
    const port = await freePort();
    const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger);
    forwarderFor(port, outbox);
    for (let i = 0; i < 20; i++) await outbox.append(event(i));
    await new Promise((r) => setTimeout(r, 300));
    expect(outbox.size()).toBe(20);

    const broker = await startRecordingBroker(port);
    cleanups.push(() => broker.close());
    await waitFor(() => outbox.size() === 0, 10_000, 'outbox drained');
    const ns = broker.received
      .filter((p) => p.topic === 'gw/gw-1/events')
      .map((p) => JSON.parse(p.payload.toString()).evidence.n);
    expect(ns).toEqual([...Array(20).keys()]);
  });

  it('resumes after the broker restarts, losing nothing', async () => {
    const port = await freePort();
    const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger);
    let broker = await startRecordingBroker(port);
    const forwarder = forwarderFor(port, outbox);
    await waitFor(() => forwarder.stats.connected, 5000, 'connected');
    await outbox.append(event(0));
    await waitFor(() => outbox.size() === 0, 5000, 'first delivered');
    const first = broker.received.length;
    await broker.close();
    for (let i = 1; i <= 5; i++) await outbox.append(event(i));
    broker = await startRecordingBroker(port);
    cleanups.push(() => broker.close());
    await waitFor(() => outbox.size() === 0, 10_000, 'drained after restart');
    const ns = broker.received
      .filter((p) => p.topic === 'gw/gw-1/events')
      .map((p) => JSON.parse(p.payload.toString()).evidence.n);
    expect(first).toBe(1);
    expect(ns).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('MQTT forwarder over TLS (mqtts://)', () => {
  it('delivers to a broker with a certificate it trusts through caFile, and refuses one it does not trust', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    const { key, cert } = selfSignedCert(dir);
    const broker = await startRecordingBroker(0, { key: readFileSync(key), cert: readFileSync(cert) });
    cleanups.push(() => broker.close());
    const make = (caFile?: string) => {
      const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger);
      return { f: forwarderFor(broker.port, outbox, { ...(caFile ? { caFile } : {}) }), outbox };
    };
    const untrusted = make();
    const trusted = make(cert);
    await trusted.outbox.append(event(1));
    await untrusted.outbox.append(event(2));
    await waitFor(() => trusted.outbox.size() === 0, 10_000, 'delivered over TLS');
    await new Promise((r) => setTimeout(r, 500));
    expect(untrusted.outbox.size()).toBe(1);
    expect(untrusted.f.stats.connects).toBe(0);
    expect(broker.received.map((p) => JSON.parse(p.payload.toString()).evidence.n)).toEqual([1]);
  });
});

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

/** Publishes the broker is holding right now (handed to authorizePublish, PUBACK not yet released). */
function holdingBroker(answer: (n: number, release: () => void, connection: number) => void) {
  const seen = new WeakMap<object, number>();
  let connections = 0;
  const stats = { holding: 0, maxHolding: 0, holdingWhenUrgent: [] as number[] };
  const authorizePublish: AuthorizePublish = (client, packet, done) => {
    if (!client) return done(null);
    if (!seen.has(client)) seen.set(client, ++connections);
    const body = JSON.parse(packet.payload.toString());
    stats.holding++;
    stats.maxHolding = Math.max(stats.maxHolding, stats.holding);
    if (body.severity === 'critical') stats.holdingWhenUrgent.push(stats.holding);
    answer(
      body.evidence.n,
      () => {
        stats.holding--;
        done(null);
      },
      seen.get(client)!,
    );
  };
  return { hooks: { authorizePublish }, stats };
}

describe('MQTT forwarder in-flight window (real aedes broker)', () => {
  const outboxWith = async (events: AlertEvent[]) => {
    const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-window-')), silentLogger);
    for (const e of events) await outbox.append(e);
    return outbox;
  };

  it('keeps up to W publishes in flight and applies PUBACKs that come back out of order in send order', async () => {
    const random = mulberry32(7);
    // aedes handles the PUBLISHes of one socket read concurrently: random holds make PUBACKs overtake.
    const { hooks, stats } = holdingBroker((_n, release) => setTimeout(release, Math.floor(random() * 40)));
    const broker = await startRecordingBroker(0, undefined, hooks);
    cleanups.push(() => broker.close());
    const outbox = await outboxWith(Array.from({ length: 60 }, (_, i) => event(i, true)));
    const delivered: number[] = [];
    forwarderFor(broker.port, outbox, undefined, {
      inFlightWindow: 8,
      onDelivered: (e) => delivered.push(e.event.evidence.n as number),
    });
    await waitFor(() => outbox.size() === 0, 20_000, 'outbox drained');
    expect(delivered).toEqual([...Array(60).keys()]);
    expect(stats.maxHolding).toBeGreaterThan(1);
    expect(stats.maxHolding).toBeLessThanOrEqual(8);
    console.log(
      `window 8: 60 events, at most ${stats.maxHolding} held by the broker at once, applied in order`,
    );
  });

  it('sends an urgent event alone: nothing else in flight with it', async () => {
    const { hooks, stats } = holdingBroker((_n, release) => setTimeout(release, 5));
    const broker = await startRecordingBroker(0, undefined, hooks);
    cleanups.push(() => broker.close());
    const events = Array.from({ length: 40 }, (_, i) => event(i, i % 7 !== 3));
    const outbox = await outboxWith(events);
    forwarderFor(broker.port, outbox, undefined, { inFlightWindow: 16 });
    await waitFor(() => outbox.size() === 0, 20_000, 'outbox drained');
    expect(stats.holdingWhenUrgent).toEqual([1, 1, 1, 1, 1, 1]);
    expect(stats.maxHolding).toBeGreaterThan(1);
    expect(broker.received.map((p) => nOf(p.payload))).toEqual([...Array(40).keys()]);
  });

  it('resends every event in flight when their PUBACKs do not come, and the outbox keeps all of them meanwhile', async () => {
    // The first connection never answers; later ones do at once.
    const { hooks } = holdingBroker((_n, release, connection) => {
      if (connection > 1) release();
    });
    const broker = await startRecordingBroker(0, undefined, hooks);
    cleanups.push(() => broker.close());
    const outbox = await outboxWith(Array.from({ length: 20 }, (_, i) => event(i, true)));
    const f = forwarderFor(broker.port, outbox, undefined, { inFlightWindow: 6, publishTimeoutMs: 800 });
    await waitFor(() => broker.received.length >= 6 || f.stats.failures > 0, 10_000, 'first window sent');
    expect(outbox.size()).toBe(20);
    await waitFor(() => outbox.size() === 0, 20_000, 'drained after the resend');
    const ns = broker.received.map((p) => nOf(p.payload));
    // aedes records a publish once its PUBACK is released: each event once, in order, after the resend.
    expect(ns).toEqual([...Array(20).keys()]);
    expect(f.stats.failures).toBeGreaterThanOrEqual(1);
    expect(f.stats.connects).toBeGreaterThanOrEqual(2);
  });
});
