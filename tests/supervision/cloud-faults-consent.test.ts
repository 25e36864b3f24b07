/**
 * Issue 16, cloud half, on the real cloud (fastify + aedes over TCP, real MQTT clients as gateways):
 * device faults a gateway raises become ONE device_health case per (fault, device), routed to the duty
 * desk and never to a guardian, closed by the `cleared` event; desk-set vitals limits are stored, audited
 * and pushed as the `vitals_limits` command (again on reconnect); consent homeVisit: false sends nobody to
 * the door; dataProcessing: false keeps only what an emergency needs (docs/consent.md).
 * PGlite always, PostgreSQL when DATABASE_URL is set.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, topics } from '../../contracts/src/index.ts';
import {
  alertEvent,
  backends,
  type Home,
  startTestCloud,
  type TestCloud,
  waitFor,
} from '../cloud/cloud-fixture.ts';

const DESK = { name: 'desk-1', phone: '+8613800000099', language: 'zh-CN' as const };
const fault = (home: Home, f: string, device: string, faultState: 'raised' | 'cleared'): AlertEvent =>
  alertEvent(home, {
    kind: 'device_health',
    severity: faultState === 'raised' ? 'warning' : 'info',
    evidence: { fault: f, device, faultState, batteryPct: 5 },
  });

describe.each(backends)('device faults, vitals limits and consent (%s)', (backend) => {
  let t: TestCloud;
  let home: Home;
  let gw: MqttClient;
  const publish = async (ev: AlertEvent) =>
    gw.publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 });
  const deviceCases = async (residentId = home.residentId) =>
    (await t.api('GET', `/cases?residentId=${residentId}&kind=device_health`)).body.items as {
      id: string;
      status: string;
      eventCount: number;
      level: number | null;
    }[];
  const roles = async (caseId: string) =>
    ((await t.api('GET', `/notifications?caseId=${caseId}`)).body.items as { recipientRole: string }[]).map(
      (n) => n.recipientRole,
    );

  beforeAll(async () => {
    t = await startTestCloud(backend, {
      config: {
        escalation: { pollIntervalMs: 100 },
        dispatch: { skillsByKind: {}, loadPenaltyKm: 2, dutyDesk: DESK },
      },
    });
    home = await t.enrol();
    gw = await t.connectGateway(home.gatewayId, home.secret);
  }, 60_000);
  afterAll(async () => t?.close());

  it('opens one case per (fault, device), to the duty desk only; a repeated raise appends', async () => {
    await publish(fault(home, 'band_battery_low', 'band1', 'raised'));
    await publish(fault(home, 'band_battery_low', 'band1', 'raised'));
    await publish(fault(home, 'sensor_offline', 'kitchen-pir', 'raised'));
    await t.cloud.responses.settle();
    const cases = await waitFor(
      async () => {
        const c = await deviceCases();
        return c.length === 2 && c.every((x) => x.level === 1) ? c : undefined;
      },
      10_000,
      'two device cases responded to',
    );
    expect(cases.map((c) => c.eventCount).sort()).toEqual([1, 2]);
    for (const c of cases) {
      expect(await roles(c.id)).toEqual(['duty_desk']);
      const full = (await t.api('GET', `/cases/${c.id}`)).body;
      expect(full.timeline.find((e: { type: string }) => e.type === 'routed')?.detail).toMatchObject({
        to: 'duty_desk',
      });
      expect(full.notifications[0].body).toMatch(/设备故障/);
    }
  });

  it('closes the case of that fault on `cleared`, leaving the other open', async () => {
    await publish(fault(home, 'band_battery_low', 'band1', 'cleared'));
    const cases = await waitFor(
      async () => {
        const c = await deviceCases();
        return c.some((x) => x.status === 'closed') ? c : undefined;
      },
      10_000,
      'the band case closed',
    );
    const closed = cases.find((c) => c.status === 'closed')!;
    const open = cases.find((c) => c.status !== 'closed')!;
    expect(open).toBeDefined();
    const tl = (await t.api('GET', `/cases/${closed.id}`)).body.timeline.map((e: { type: string }) => e.type);
    expect(tl).toEqual(expect.arrayContaining(['fault_cleared', 'closed']));
    // A cleared fault with no open case opens nothing.
    await publish(fault(home, 'meter_silent', 'water', 'cleared'));
    await new Promise((r) => setTimeout(r, 300));
    expect((await deviceCases()).length).toBe(2);
  });

  it('stores desk-set vitals limits, audits them, and pushes vitals_limits (again on reconnect)', async () => {
    const bad = await t.api('PUT', `/residents/${home.residentId}/vitals-limits`, {
      heartRateLow: 100,
      heartRateHigh: 90,
      sustainedS: 60,
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'CLOUD_VITALS_LIMITS_INVALID']);
    const malformed = await t.api('PUT', `/residents/${home.residentId}/vitals-limits`, {
      heartRateLow: 'x',
    });
    expect(malformed.status).toBe(400);
    const missing = await t.api('PUT', '/residents/nobody/vitals-limits', {
      heartRateLow: 45,
      heartRateHigh: 120,
      sustainedS: 60,
    });
    expect([missing.status, missing.body.code]).toEqual([404, 'CLOUD_RESIDENT_NOT_FOUND']);
    expect((await t.api('GET', `/residents/${home.residentId}/vitals-limits`)).body.code).toBe(
      'CLOUD_VITALS_LIMITS_NOT_SET',
    );

    const sub = await t.connectGateway(home.gatewayId, home.secret);
    const got: unknown[] = [];
    sub.on('message', (_topic, payload) => got.push(JSON.parse(String(payload))));
    await sub.subscribeAsync(topics.command(home.gatewayId), { qos: 1 });
    const limits = { heartRateLow: 45, heartRateHigh: 120, sustainedS: 90 };
    const put = await t.api('PUT', `/residents/${home.residentId}/vitals-limits`, limits);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ...limits, residentId: home.residentId, gatewaysTold: 1 });
    expect((await t.api('GET', `/residents/${home.residentId}/vitals-limits`)).body).toMatchObject(limits);
    const cmd = await waitFor(async () => got.find((m) => (m as { type: string }).type === 'vitals_limits'));
    expect(cmd).toMatchObject({ type: 'vitals_limits', residentId: home.residentId, limits });
    await sub.endAsync();

    const again = await t.connectGateway(home.gatewayId, home.secret);
    const resent: unknown[] = [];
    again.on('message', (_topic, payload) => resent.push(JSON.parse(String(payload))));
    await again.subscribeAsync(topics.command(home.gatewayId), { qos: 1 });
    expect(
      await waitFor(async () => resent.find((m) => (m as { type: string }).type === 'vitals_limits')),
    ).toMatchObject({ limits });
    await again.endAsync();
    const { rows } = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target_type = 'vitals_limits' ORDER BY id`,
    );
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['update', 'read']));
  });

  it('homeVisit: false — no worker to the door; the guardians and the desk are called, the timeline says why', async () => {
    const allWeek = [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' }];
    expect((await t.api('POST', '/stations', { id: 'st-1', name: 'Station 1' })).status).toBe(201);
    expect(
      (
        await t.api('POST', '/workers', {
          id: 'w-1',
          stationId: 'st-1',
          name: 'Worker 1',
          phone: '+8613900000001',
          home: { lat: 31.2, lon: 121.45 },
          shifts: allWeek,
        })
      ).status,
    ).toBe(201);
    const visits = await t.enrol();
    const control = await t.enrol();
    await t.api('PATCH', `/residents/${visits.residentId}`, {
      stationId: 'st-1',
      consent: { homeVisit: false },
    });
    await t.api('PATCH', `/residents/${control.residentId}`, { stationId: 'st-1' });
    for (const h of [visits, control]) {
      const c = await t.connectGateway(h.gatewayId, h.secret);
      await c.publishAsync(topics.events(h.gatewayId), JSON.stringify(alertEvent(h)), { qos: 1 });
      await c.endAsync();
    }
    await t.cloud.responses.settle();
    const caseOf = async (h: Home) =>
      waitFor(async () => {
        const items = (await t.api('GET', `/cases?residentId=${h.residentId}&kind=fall`)).body.items;
        return items[0]?.level ? items[0] : undefined;
      }, 10_000);
    const refused = await caseOf(visits);
    const ok = await caseOf(control);
    expect(ok.assigneeId).toBe('w-1'); // the same station sends its worker when allowed
    expect(refused.assigneeId).toBeNull();
    expect((await roles(refused.id)).sort()).toEqual(['duty_desk', 'guardian']);
    const tl = (await t.api('GET', `/cases/${refused.id}`)).body.timeline;
    expect(tl.find((e: { type: string }) => e.type === 'no_home_visit')?.detail.reason).toMatch(/homeVisit/);
    // Nor may the desk send one by hand.
    const byHand = await t.api('POST', `/cases/${refused.id}/transitions`, {
      to: 'assigned',
      actor: { type: 'duty_desk', id: 'desk' },
    });
    expect([byHand.status, byHand.body.code]).toEqual([409, 'CLOUD_CASE_NO_WORKER']);
  });

  it('dataProcessing: false — an emergency is kept with responders’ evidence only; the rest is not kept', async () => {
    const h = await t.enrol();
    await t.api('PATCH', `/residents/${h.residentId}`, { consent: { dataProcessing: false } });
    const c = await t.connectGateway(h.gatewayId, h.secret);
    const emotion = alertEvent(h, { kind: 'emotion', severity: 'warning', evidence: { valence: -0.8 } });
    const fall = alertEvent(h);
    const withheldBefore = await t.metric('anju_consent_withheld_total', { kind: 'emotion' });
    for (const ev of [emotion, fall]) {
      await c.publishAsync(topics.events(h.gatewayId), JSON.stringify(ev), { qos: 1 });
    }
    await c.publishAsync(
      topics.daily(h.gatewayId),
      JSON.stringify({
        schema: 1,
        gatewayId: h.gatewayId,
        residentId: h.residentId,
        day: '2026-12-01',
        dayStart: '2026-11-30T16:00:00.000Z',
        activeMinutes: 200,
      }),
      { qos: 1 },
    );
    await c.endAsync();
    const { rows } = await t.db.query<{ id: string; kind: string; evidence: object; score: unknown }>(
      'SELECT id, kind, evidence, score FROM events WHERE resident_id = $1',
      [h.residentId],
    );
    expect(rows.map((r) => r.kind)).toEqual(['fall']);
    expect(rows[0]!.evidence).toEqual({ minimized: true });
    expect(rows[0]!.score).toBeNull();
    expect(await t.metric('anju_consent_withheld_total', { kind: 'emotion' })).toBe(withheldBefore + 1);
    expect(await t.metric('anju_consent_withheld_total', { kind: 'daily' })).toBeGreaterThanOrEqual(1);
    // The emergency is still answered: the case opens and the guardian is texted.
    await t.cloud.responses.settle();
    const items = (await t.api('GET', `/cases?residentId=${h.residentId}`)).body.items;
    expect(items.map((x: { kind: string }) => x.kind)).toEqual(['fall']);
    expect(await roles(items[0].id)).toContain('guardian');
  });
});
