import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEvent, newEventId } from '../../contracts/src/index.ts';
import { systemClock } from '../../edge/src/clock.ts';
import { MqttForwarder } from '../../edge/src/forwarder/mqtt-forwarder.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { FileOutbox } from '../../edge/src/outbox/file-outbox.store.ts';
import { freePort, selfSignedCert, startRecordingBroker, waitFor } from '../../tools/harness/net.ts';

const event = (n: number): AlertEvent => ({
  schema: 1,
  id: newEventId(),
  gatewayId: 'gw-1',
  residentId: 'res-1',
  kind: 'fall',
  severity: 'critical',
  occurredAt: new Date().toISOString(),
  detectedAt: new Date().toISOString(),
  evidence: { n },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function forwarderFor(port: number, outbox: FileOutbox, tls?: { caFile?: string }) {
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
