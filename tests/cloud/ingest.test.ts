import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, topics } from '../../contracts/src/index.ts';
import {
  alertEvent,
  backends,
  type Home,
  heartbeat,
  startTestCloud,
  type TestCloud,
  waitFor,
} from './cloud-fixture.ts';

describe.each(backends)('cloud ingest over MQTT (%s)', (backend) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const publishEvent = (c: MqttClient, home: Home, payload: unknown) =>
    c.publishAsync(
      topics.events(home.gatewayId),
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      {
        qos: 1,
      },
    );
  const casesOf = async (residentId: string) =>
    (await t.api('GET', `/cases?residentId=${residentId}`)).body.items as any[];

  it('opens one case for a fall and texts each guardian in the language of their profile', async () => {
    const home = await t.enrol({
      guardians: [
        { name: 'Daughter', phone: '+8613800000001', language: 'zh-CN' },
        { name: 'Son', phone: '+447700900123', language: 'en' },
      ],
    });
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const ev = alertEvent(home, { occurredAt: '2024-05-01T00:03:00.000Z' });
    await publishEvent(c, home, ev);

    const cases = await casesOf(home.residentId);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({
      kind: 'fall',
      status: 'open',
      test: false,
      eventCount: 1,
      severity: 'urgent',
    });

    const detail = await waitFor(async () => {
      const d = (await t.api('GET', `/cases/${cases[0].id}`)).body;
      return d.notifications.every((n: any) => n.status === 'sent') && d.timeline.length === 3 && d;
    });
    expect(detail.events).toEqual([
      expect.objectContaining({
        id: ev.id,
        occurredAt: ev.occurredAt,
        detectedAt: new Date(ev.detectedAt).toISOString(),
        score: ev.score,
        evidence: ev.evidence,
      }),
    ]);
    expect(detail.timeline.map((e: any) => e.type)).toEqual(['opened', 'notified', 'notified']);
    const byPhone = Object.fromEntries(detail.notifications.map((n: any) => [n.recipientPhone, n]));
    expect(byPhone['+8613800000001']).toMatchObject({
      language: 'zh-CN',
      channel: 'sms-log',
      status: 'sent',
    });
    expect(byPhone['+8613800000001'].body).toContain('跌倒');
    expect(byPhone['+8613800000001'].body).toContain('5月1日 08:03'); // Asia/Shanghai
    expect(byPhone['+447700900123']).toMatchObject({ language: 'en', channel: 'sms-log', status: 'sent' });
    expect(byPhone['+447700900123'].body).toContain('may have fallen');

    const list = (await t.api('GET', `/notifications?caseId=${cases[0].id}`)).body.items;
    expect(list).toHaveLength(2);
    expect(await t.metric('anju_events_ingested_total', { kind: 'fall' })).toBeGreaterThanOrEqual(1);
    expect(await t.metric('anju_cases_opened_total', { kind: 'fall' })).toBeGreaterThanOrEqual(1);
    expect(
      await t.metric('anju_notifications_total', { channel: 'sms-log', status: 'sent' }),
    ).toBeGreaterThanOrEqual(2);
    // Personal data stays out of the logs: no phone numbers, no message text.
    expect(t.logs.join('\n')).not.toContain('13800000001');
    expect(t.logs.join('\n')).not.toContain('may have fallen');
  });

  it('stores an event id only once and acknowledges the duplicate again', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const ev = alertEvent(home);
    const dupBefore = await t.metric('anju_events_duplicate_total');
    await publishEvent(c, home, ev);
    await publishEvent(c, home, ev); // the gateway resends after a lost PUBACK
    await publishEvent(c, home, ev);

    const cases = await casesOf(home.residentId);
    expect(cases).toHaveLength(1);
    expect(cases[0].eventCount).toBe(1);
    const rows = await t.db.query('SELECT id FROM events WHERE id = $1', [ev.id]);
    expect(rows.rows).toHaveLength(1);
    expect(await t.metric('anju_events_duplicate_total')).toBe(dupBefore + 2);
    await t.cloud.responses.settle(); // the response and its texts follow the commit
    expect((await t.api('GET', `/notifications?caseId=${cases[0].id}`)).body.items).toHaveLength(1);
  });

  it('appends a second fall of the same resident to the open case without texting again', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    await publishEvent(c, home, alertEvent(home, { severity: 'warning' }));
    await publishEvent(c, home, alertEvent(home, { severity: 'critical' }));
    await publishEvent(c, home, alertEvent(home, { kind: 'sos' }));

    const cases = await casesOf(home.residentId);
    expect(cases.map((x) => x.kind).sort()).toEqual(['fall', 'sos']);
    const fall = cases.find((x) => x.kind === 'fall');
    expect(fall).toMatchObject({ eventCount: 2, severity: 'critical', status: 'open' });
    await t.cloud.responses.settle(); // the response and its texts follow the commit
    const detail = (await t.api('GET', `/cases/${fall.id}`)).body;
    expect(detail.events).toHaveLength(2);
    // The text goes out after the commit, so "notified" may land before or after the second event.
    const types = detail.timeline.map((e: any) => e.type);
    expect(types[0]).toBe('opened');
    expect([...types].sort()).toEqual(['event_appended', 'notified', 'opened']);
    expect(detail.notifications).toHaveLength(1);
  });

  // Issue 4: a case stays the open one for its kind until it is finished (resolved, closed, cancelled,
  // false alarm); an acknowledged case still collects the events that follow.
  it('appends to an acknowledged case and opens a new one once it is resolved', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    await publishEvent(c, home, alertEvent(home));
    const [first] = await casesOf(home.residentId);
    expect((await t.api('POST', `/cases/${first.id}/ack`, { by: 'worker 7' })).status).toBe(200);
    await publishEvent(c, home, alertEvent(home));
    expect(await casesOf(home.residentId)).toHaveLength(1);
    const desk = { type: 'duty_desk', id: 'desk 1' };
    const resolved = await t.api('POST', `/cases/${first.id}/transitions`, { to: 'resolved', actor: desk });
    expect(resolved.status).toBe(200);
    await publishEvent(c, home, alertEvent(home));
    const cases = await casesOf(home.residentId);
    expect(cases).toHaveLength(2);
    expect(cases.filter((x) => x.status === 'open')).toHaveLength(1);
    expect(cases.find((x) => x.id === first.id)).toMatchObject({
      status: 'resolved',
      acknowledgedBy: 'worker 7',
      eventCount: 2,
    });
  });

  it('stores test events in a test case that notifies nobody, apart from real cases', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    await publishEvent(c, home, alertEvent(home, { test: true }));
    let cases = await casesOf(home.residentId);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ test: true, status: 'open' });

    await publishEvent(c, home, alertEvent(home)); // a real fall must not vanish into the test case
    cases = await casesOf(home.residentId);
    expect(cases).toHaveLength(2);
    await t.cloud.responses.settle(); // the response (texts) follows the commit
    const testCase = cases.find((x) => x.test);
    const realCase = cases.find((x) => !x.test);
    expect((await t.api('GET', `/notifications?caseId=${testCase.id}`)).body.items).toEqual([]);
    expect((await t.api('GET', `/notifications?caseId=${realCase.id}`)).body.items).toHaveLength(1);
  });

  it('acknowledges but rejects and counts bad payloads, then still opens the next good case', async () => {
    const home = await t.enrol();
    const other = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const rejected = async (reason: string) => t.metric('anju_ingest_rejected_total', { reason });
    const cases: [string, unknown][] = [
      ['not_json', '{"schema":1,'],
      ['not_json', Buffer.from([0xff, 0x00, 0xfe])],
      ['schema', { ...alertEvent(home), kind: 'explosion' }],
      ['schema', { ...alertEvent(home), id: 'not-a-uuid' }],
      ['schema', { ...alertEvent(home), extra: 'field' }],
      ['schema', []],
      ['schema', null],
      ['too_large', { ...alertEvent(home), evidence: { note: 'x'.repeat(MAX_PAYLOAD_BYTES) } }],
      ['gateway_mismatch', alertEvent({ ...home, gatewayId: other.gatewayId })],
      ['unknown_resident', alertEvent({ ...home, residentId: 'no-such-resident' })],
      ['resident_mismatch', alertEvent({ ...home, residentId: other.residentId })],
    ];
    for (const [reason, payload] of cases) {
      const n = await rejected(reason);
      const body = Buffer.isBuffer(payload)
        ? payload
        : typeof payload === 'string'
          ? payload
          : JSON.stringify(payload);
      // The PUBACK arrives (publishAsync resolves): the gateway must not resend a message that can never pass.
      await c.publishAsync(topics.events(home.gatewayId), body, { qos: 1 });
      expect(await rejected(reason), reason).toBe(n + 1);
    }
    expect(c.connected).toBe(true);
    expect(await casesOf(home.residentId)).toEqual([]);
    expect(await casesOf(other.residentId)).toEqual([]);

    await publishEvent(c, home, alertEvent(home));
    expect(await casesOf(home.residentId)).toHaveLength(1);
  });

  it('survives arbitrary bytes on every topic it accepts', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const junk = [
      Buffer.alloc(0),
      Buffer.from('null'),
      Buffer.from('"a string"'),
      Buffer.from('{"__proto__":{"polluted":true},"schema":1}'),
      Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`),
      Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)),
    ];
    for (const payload of junk) {
      await c.publishAsync(topics.events(home.gatewayId), payload, { qos: 1 });
      await c.publishAsync(topics.health(home.gatewayId), payload, { qos: 1 });
    }
    expect(({} as any).polluted).toBeUndefined();
    expect(c.connected).toBe(true);
    expect((await t.api('GET', '/health')).status).toBe(200);
  });

  it('records heartbeats and connection state on the gateway', async () => {
    const home = await t.enrol();
    const before = await t.metric('anju_heartbeats_total');
    const c = await t.connectGateway(home.gatewayId, home.secret);
    await c.publishAsync(
      topics.health(home.gatewayId),
      JSON.stringify(heartbeat(home.gatewayId, { outboxDepth: 3, homeLearning: { day: 2, days: 7 } })),
      {
        qos: 1,
      },
    );
    // The connection state is written beside the connect, not before the CONNACK: wait for it.
    // So is the heartbeat: with the others of its second, after the PUBACK (one UPDATE per second).
    await waitFor(async () => {
      const g = (await t.api('GET', `/gateways/${home.gatewayId}`)).body;
      return g.connected === true && g.lastHeartbeatAt !== null;
    });
    const gw = (await t.api('GET', `/gateways/${home.gatewayId}`)).body;
    expect(gw).toMatchObject({ gatewayId: home.gatewayId, residentId: home.residentId, connected: true });
    expect(gw.lastHeartbeat).toMatchObject({
      agentVersion: '0.1.0',
      outboxDepth: 3,
      drivers: { wristband: 'up' },
      // The desk sees that the home's routine is still being learned (issue 15).
      homeLearning: { day: 2, days: 7 },
    });
    expect(gw.lastHeartbeatAt).toEqual(expect.any(String));
    expect(gw).not.toHaveProperty('secret');
    expect(JSON.stringify(gw)).not.toContain(home.secret);
    expect(await t.metric('anju_heartbeats_total')).toBe(before + 1);

    await c.endAsync();
    await waitFor(async () => (await t.api('GET', `/gateways/${home.gatewayId}`)).body.connected === false);
  });
});
