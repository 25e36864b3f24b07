import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AedesOptions } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEvent, newEventId } from '../../contracts/src/index.ts';
import { type Clock, systemClock } from '../../edge/src/clock.ts';
import { type ForwarderOptions, MqttForwarder } from '../../edge/src/forwarder/mqtt-forwarder.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { FileOutbox } from '../../edge/src/outbox/file-outbox.store.ts';
import { hasMosquitto, startMosquitto } from '../../tools/harness/mosquitto.ts';
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

/**
 * The system clock, counting the timers set through it: while the forwarder has no link the only ones are
 * its reconnect attempts, so a count that grows shows it is trying (and failing) to reach the broker.
 */
function countingClock() {
  let timers = 0;
  const clock: Clock = {
    ...systemClock,
    setTimeout: (fn, ms) => {
      timers++;
      return systemClock.setTimeout(fn, ms);
    },
  };
  return { clock, timers: () => timers };
}

describe('MQTT forwarder (against a real aedes broker)', () => {
  it('keeps events on disk while the cloud is down and delivers them in order when it returns', async () => {
    const port = await freePort();
    const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger);
    const { clock, timers } = countingClock();
    const f = forwarderFor(port, outbox, undefined, { clock });
    for (let i = 0; i < 20; i++) await outbox.append(event(i));
    await waitFor(() => timers() >= 3, 10_000, 'three failed connects (reconnects scheduled)');
    expect(f.stats.delivered).toBe(0);
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
      const { clock, timers } = countingClock();
      const f = forwarderFor(broker.port, outbox, { ...(caFile ? { caFile } : {}) }, { clock });
      return { f, outbox, timers };
    };
    const untrusted = make();
    const trusted = make(cert);
    await trusted.outbox.append(event(1));
    await untrusted.outbox.append(event(2));
    await waitFor(() => trusted.outbox.size() === 0, 10_000, 'delivered over TLS');
    // The untrusted one kept trying: its handshakes failed (reconnects scheduled), it was not merely slow.
    await waitFor(() => untrusted.timers() >= 2, 10_000, 'two failed TLS connects');
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

describe('MQTT forwarder telemetry pace (cloud.telemetryPerS, real aedes broker)', () => {
  it('sends telemetry no faster than its pace after the burst, and an urgent event at once', async () => {
    const broker = await startRecordingBroker(0);
    cleanups.push(() => broker.close());
    const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-pace-')), silentLogger);
    // 10 telemetry (the burst), an alarm, 6 more telemetry at 4/s.
    for (let i = 0; i < 17; i++) await outbox.append(event(i, i !== 10));
    const t0 = Date.now();
    const at = new Map<number, number>();
    forwarderFor(broker.port, outbox, undefined, {
      inFlightWindow: 16,
      telemetryPace: { perS: 4, burst: 10 },
      onDelivered: (e) => at.set(e.event.evidence.n as number, Date.now() - t0),
    });
    await waitFor(() => outbox.size() === 0, 20_000, 'outbox drained');
    console.log(`pace 4/s burst 10: delivered at ms ${JSON.stringify([...at.values()])}`);
    expect([...at.keys()]).toEqual([...Array(17).keys()]);
    // The alarm did not wait for a telemetry token (one is 250 ms away when the burst is spent).
    expect(at.get(10)! - at.get(9)!).toBeLessThan(200);
    // Six paced events after the burst: at least five intervals of 250 ms.
    expect(at.get(16)! - at.get(10)!).toBeGreaterThanOrEqual(5 * 250 - 50);
  });
});

describe('MQTT forwarder protocol level (cloud.mqttVersion)', () => {
  const newOutbox = () => new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-proto-')), silentLogger);

  it('auto falls back to MQTT 3.1.1 on aedes (3.1.1 only) and stays there; 4 connects; 5 never does', async () => {
    const broker = await startRecordingBroker(0);
    cleanups.push(() => broker.close());
    const auto = { outbox: newOutbox() };
    const pinned4 = { outbox: newOutbox() };
    const pinned5 = { outbox: newOutbox() };
    const fAuto = forwarderFor(broker.port, auto.outbox);
    const f4 = forwarderFor(broker.port, pinned4.outbox, undefined, { mqttVersion: 4 });
    const clock5 = countingClock();
    const f5 = forwarderFor(broker.port, pinned5.outbox, undefined, { mqttVersion: 5, clock: clock5.clock });
    for (const o of [auto, pinned4, pinned5]) await o.outbox.append(event(1));
    await waitFor(
      () => auto.outbox.size() === 0 && pinned4.outbox.size() === 0,
      10_000,
      'delivered on 3.1.1',
    );
    expect(fAuto.stats.mqttVersion).toBe(4);
    expect(f4.stats.mqttVersion).toBe(4);
    await waitFor(() => clock5.timers() >= 2, 10_000, 'MQTT 5 refused twice (reconnects scheduled)');
    expect(f5.stats.connects).toBe(0);
    expect(pinned5.outbox.size()).toBe(1);
    // The fallback is remembered: a reconnect goes straight to 3.1.1.
    const connects = fAuto.stats.connects;
    await broker.close();
    const again = await startRecordingBroker(broker.port);
    cleanups.push(() => again.close());
    await auto.outbox.append(event(2));
    await waitFor(() => auto.outbox.size() === 0, 10_000, 'delivered after the reconnect');
    expect(fAuto.stats.connects).toBe(connects + 1);
    expect(fAuto.stats.mqttVersion).toBe(4);
  });
});

describe.skipIf(!hasMosquitto)(
  `MQTT forwarder on Mosquitto (MQTT 5)${hasMosquitto ? '' : ' — skipped: mosquitto is not installed'}`,
  () => {
    async function anonymousMosquitto() {
      const dir = mkdtempSync(join(tmpdir(), 'fwd-mosq-auth-'));
      writeFileSync(join(dir, 'anon.conf'), 'allow_anonymous true\n');
      const m = await startMosquitto({ authConfFile: join(dir, 'anon.conf'), bindClientIds: false });
      cleanups.push(() => m.close());
      return m;
    }

    it('auto speaks MQTT 5 there, 4 speaks 3.1.1', async () => {
      const m = await anonymousMosquitto();
      const fAuto = forwarderFor(
        m.port,
        new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger),
        undefined,
        {
          gatewayId: 'gw-auto',
        },
      );
      const f4 = forwarderFor(
        m.port,
        new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger),
        undefined,
        {
          mqttVersion: 4,
          gatewayId: 'gw-v4',
        },
      );
      // Distinct ids: one client id each, or Mosquitto would hand the session back and forth.
      await waitFor(() => fAuto.stats.connected && f4.stats.connected, 10_000, 'both connected');
      expect(fAuto.stats.mqttVersion).toBe(5);
      expect(f4.stats.mqttVersion).toBe(4);
    });

    it('keeps and resends events the broker had no subscriber for (PUBACK 0x10), in order once one subscribes', async () => {
      const m = await anonymousMosquitto();
      const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'fwd-')), silentLogger);
      const f = forwarderFor(m.port, outbox, undefined, { inFlightWindow: 4 });
      await waitFor(() => f.stats.connected, 10_000, 'connected');
      for (let i = 0; i < 10; i++) await outbox.append(event(i, true));
      await waitFor(() => f.stats.notDelivered >= 2, 10_000, 'refusals counted');
      expect(outbox.size()).toBe(10);
      expect(f.stats.delivered).toBe(0);
      const consumer = await mqtt.connectAsync(m.url, { protocolVersion: 5, reconnectPeriod: 0 });
      cleanups.push(() => consumer.endAsync(true));
      const got: number[] = [];
      consumer.on('message', (_t, payload) => got.push(nOf(payload)));
      await consumer.subscribeAsync('gw/+/events', { qos: 1 });
      await waitFor(() => outbox.size() === 0, 15_000, 'drained once a consumer is there');
      await waitFor(() => got.length >= 10, 5000, 'consumer got them');
      expect(got).toEqual([...Array(10).keys()]);
      console.log(
        `0x10: ${f.stats.notDelivered} PUBACKs "no matching subscribers" kept and resent; 10/10 delivered in order`,
      );
    });
  },
);
