import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEvent, newEventId } from '../../contracts/src/index.ts';
import {
  API_TOKEN,
  enrolHousehold,
  type Household,
  heardFrom,
  outboxEvents,
  ptysFor,
} from '../../tools/harness/home.ts';
import { freePort, waitFor } from '../../tools/harness/net.ts';
import {
  apiClient,
  type CloudProc,
  replay,
  startCloudProcess,
  startGatewayProcess,
} from '../../tools/harness/processes.ts';
import { FALL_RECORDING, QUIET_ADL_RECORDING } from '../../tools/harness/recordings.ts';
import { startTcpProxy } from '../../tools/harness/tcp-proxy.ts';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function cloudOn(dataDir: string, mqttPort = 0): Promise<CloudProc> {
  const cloud = await startCloudProcess({ dataDir, apiToken: API_TOKEN, mqttPort });
  stops.push(() => cloud.stop());
  return cloud;
}

async function caseSummary(cloud: CloudProc, h: Household) {
  const api = apiClient(cloud.httpUrl, API_TOKEN);
  const cases = (await api.get(`/cases?residentId=${h.residentId}`)).body.items as any[];
  const details = await Promise.all(cases.map(async (c) => (await api.get(`/cases/${c.id}`)).body));
  const sms = (
    await Promise.all(
      cases.map(async (c) => (await api.get(`/notifications?caseId=${c.id}`)).body.items as any[]),
    )
  ).flat();
  return { cases: details, events: details.flatMap((d) => d.events as any[]), sms };
}

/** One event, one case and one SMS for the household, however the event got there (waits up to 30 s). */
async function expectOneCaseAndSms(cloud: CloudProc, h: Household): Promise<void> {
  const s = await waitFor(
    async () => {
      const x = await caseSummary(cloud, h);
      return x.sms.length > 0 && x;
    },
    30_000,
    'case and SMS',
  );
  expect(s.cases).toHaveLength(1);
  expect(s.events).toHaveLength(1);
  expect(s.sms).toHaveLength(1);
}

const newDir = (p: string) => mkdtempSync(join(tmpdir(), p));
/** The falls and SOS presses waiting on the gateway's disk (not what supervision may raise meanwhile). */
const alarmsOnDisk = (h: Household) => outboxEvents(h).filter((e) => e.kind === 'fall' || e.kind === 'sos');

describe('delivery guarantees between gateway and cloud (real processes)', () => {
  it('kill -9 of the gateway after the event is on disk but before it was sent: delivered exactly once after restart', async () => {
    const cloud = await cloudOn(newDir('anju-cloud-'));
    const h = await enrolHousehold(cloud);
    const pty = await ptysFor(h);
    stops.push(() => pty.stop());
    const unreachable = `mqtt://127.0.0.1:${await freePort()}`;
    const first = await startGatewayProcess({ ...h, cloudUrl: unreachable, wristbandPath: h.rx });
    await replay(FALL_RECORDING, h.tx, { speed: 10 });
    await waitFor(() => alarmsOnDisk(h).length === 1, 30_000, 'the event in the outbox');
    await first.kill9();

    const second = await startGatewayProcess({ ...h, cloudUrl: cloud.mqttUrl, wristbandPath: h.rx });
    stops.push(() => second.stop());
    await waitFor(() => alarmsOnDisk(h).length === 0, 30_000, 'the outbox emptied by its PUBACK');
    await expectOneCaseAndSms(cloud, h);
  });

  it('kill -9 after the cloud stored the event but before its PUBACK arrived: the resend is absorbed, one case, one SMS', async () => {
    const cloud = await cloudOn(newDir('anju-cloud-'));
    const h = await enrolHousehold(cloud);
    const pty = await ptysFor(h);
    stops.push(() => pty.stop());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(cloud.mqttUrl).port) });
    stops.push(() => proxy.close());
    const first = await startGatewayProcess({
      ...h,
      cloudUrl: `mqtt://127.0.0.1:${proxy.port}`,
      wristbandPath: h.rx,
    });
    await heardFrom(apiClient(cloud.httpUrl, API_TOKEN), h.gatewayId);
    proxy.blackholeDownstream(); // PUBACKs never reach the gateway from now on
    await replay(FALL_RECORDING, h.tx, { speed: 10 });
    await waitFor(
      async () => (await caseSummary(cloud, h)).events.length === 1,
      30_000,
      'event stored in the cloud',
    );
    expect(alarmsOnDisk(h)).toHaveLength(1); // no PUBACK came: still on disk
    await first.kill9();

    const second = await startGatewayProcess({ ...h, cloudUrl: cloud.mqttUrl, wristbandPath: h.rx });
    stops.push(() => second.stop());
    await waitFor(
      () => alarmsOnDisk(h).length === 0,
      30_000,
      'the outbox emptied by the PUBACK of the resend',
    );
    // The resend reached the cloud and was counted as a duplicate: whatever it could have opened, it has.
    const duplicates = /anju_events_duplicate_total(\{[^}]*\})? [1-9]/;
    await waitFor(
      async () => duplicates.test(await (await fetch(`${cloud.httpUrl}/metrics`)).text()),
      30_000,
      'the resend counted as a duplicate',
    );
    await expectOneCaseAndSms(cloud, h);
  });

  it('with the cloud down, events wait on disk and arrive in order when it returns', async () => {
    const dataDir = newDir('anju-cloud-');
    const mqttPort = await freePort();
    const enrolling = await startCloudProcess({ dataDir, apiToken: API_TOKEN, mqttPort });
    const h = await enrolHousehold(enrolling);
    expect(await enrolling.stop()).toBe(0);

    const pty = await ptysFor(h);
    stops.push(() => pty.stop());
    const gw = await startGatewayProcess({
      ...h,
      cloudUrl: `mqtt://127.0.0.1:${mqttPort}`,
      wristbandPath: h.rx,
    });
    stops.push(() => gw.stop());
    await replay(QUIET_ADL_RECORDING, h.tx, { speed: 20, sosAtS: 0.1 });
    await replay(FALL_RECORDING, h.tx, { speed: 10 });
    await waitFor(() => alarmsOnDisk(h).length === 2, 30_000, 'two events on disk');
    await replay(QUIET_ADL_RECORDING, h.tx, { speed: 20, sosAtS: 0.1 });
    await waitFor(() => alarmsOnDisk(h).length === 3, 30_000, 'three events on disk');
    const raised = alarmsOnDisk(h).map((e) => e.id);

    const cloud = await cloudOn(dataDir, mqttPort);
    await waitFor(() => alarmsOnDisk(h).length === 0, 30_000, 'all delivered (outbox empty)');
    const s = await waitFor(
      async () => {
        const x = await caseSummary(cloud, h);
        return x.events.length === 3 && x;
      },
      30_000,
      'three events in the cloud',
    );
    const byReceipt = [...s.events].sort(
      (a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.seq - b.seq,
    );
    expect(byReceipt.map((e) => e.id)).toEqual(raised);
    expect(s.cases.map((c) => c.kind).sort()).toEqual(['fall', 'sos']);
  });
});

describe('the cloud broker at the boundary (real process)', () => {
  let cloud: CloudProc;
  const event = (h: Household, over: Partial<AlertEvent> = {}): AlertEvent => ({
    schema: 1,
    id: newEventId(),
    gatewayId: h.gatewayId,
    residentId: h.residentId,
    kind: 'fall',
    severity: 'critical',
    occurredAt: new Date().toISOString(),
    detectedAt: new Date().toISOString(),
    evidence: { peakG: 3.2 },
    ...over,
  });

  it("refuses a wrong secret and another gateway's topic; rejects and counts a malformed payload, and the next good event still opens its case", async () => {
    cloud = await cloudOn(newDir('anju-cloud-'));
    const a = await enrolHousehold(cloud);
    const b = await enrolHousehold(cloud);

    await expect(
      mqtt.connectAsync(cloud.mqttUrl, {
        username: a.gatewayId,
        password: 'not-the-secret',
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);

    const client = await mqtt.connectAsync(cloud.mqttUrl, {
      username: a.gatewayId,
      password: a.secret,
      reconnectPeriod: 0,
    });
    stops.push(() => client.endAsync(true));
    // Publishing under B's prefix: the broker refuses it (MQTT 3.1.1 has no negative PUBACK: it disconnects).
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    client.publish(`gw/${b.gatewayId}/events`, JSON.stringify(event(b)), { qos: 1 }, () => {});
    await closed;
    expect((await caseSummary(cloud, b)).cases).toHaveLength(0);

    const good = await mqtt.connectAsync(cloud.mqttUrl, {
      username: a.gatewayId,
      password: a.secret,
      reconnectPeriod: 0,
    });
    stops.push(() => good.endAsync(true));
    await good.publishAsync(`gw/${a.gatewayId}/events`, '{"schema":1,"kind":', { qos: 1 });
    await good.publishAsync(`gw/${a.gatewayId}/events`, JSON.stringify({ ...event(a), kind: 'earthquake' }), {
      qos: 1,
    });
    await good.publishAsync(`gw/${a.gatewayId}/events`, JSON.stringify(event(a)), { qos: 1 });
    const s = await waitFor(
      async () => {
        const x = await caseSummary(cloud, a);
        return x.cases.length === 1 && x;
      },
      30_000,
      'case from the good event',
    );
    expect(s.events).toHaveLength(1);
    const metrics = await (await fetch(`${cloud.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/anju_ingest_rejected_total\{[^}]*reason="not_json"[^}]*\} 1/);
    expect(metrics).toMatch(/anju_ingest_rejected_total\{[^}]*reason="schema"[^}]*\} 1/);
    expect(metrics).toMatch(/anju_mqtt_auth_failures_total\{[^}]*\} [1-9]/);
  });
});
