/**
 * Service-quality figures (issue 4) from a database filled through the real service: events over MQTT open
 * the cases, dispatch picks the workers, the REST state machine moves them, surveys go out through the
 * Twilio fake and are answered on the signed inbound webhook. The service clock is moved by hand, so every
 * duration is known and the medians and p90s below are computed by hand (linear interpolation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, type Home, waitFor } from '../cloud/cloud-fixture.ts';
import { PUBLIC_BASE, QUIET_ESCALATION, type SmsWorld, startSmsWorld, TWILIO } from '../sms/sms-fixture.ts';

const DAY1 = new Date('2024-05-06T02:00:00Z'); // Monday 10:00 in Asia/Shanghai
const DAY2 = new Date('2024-05-07T02:00:00Z');
const PERIOD = 'from=2024-05-06T00:00:00Z&to=2024-05-07T00:00:00Z';
const ALL_DAY = [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }];

type End = 'closed' | 'false_alarm' | 'cancelled' | 'resolved' | 'active';
interface Plan {
  worker: string;
  ackS?: number;
  onSiteS?: number;
  end: End;
  /** What the guardian texts back to the survey. */
  replies?: string[];
  deskComplaint?: string;
}

describe.each(backends)('service quality per worker and station (%s)', (backend) => {
  let w: SmsWorld;
  let now = DAY1;
  const clock = { now: () => now };
  const homes: Record<string, Home & { phone: string }> = {};

  const post = async (path: string, body: unknown, status = 201) => {
    const r = await w.t.api('POST', path, body);
    expect(r.status, `${path} ${r.text}`).toBe(status);
    return r.body;
  };
  const move = (id: string, to: string, actor: { type: string; id: string }) =>
    post(`/cases/${id}/transitions`, { to, actor }, 200);

  /** Runs one case from opening at `start` to its end, the way the people involved would. */
  async function runCase(home: Home & { phone: string }, start: Date, plan: Plan): Promise<string> {
    now = start;
    const c = await w.t.connectGateway(home.gatewayId, home.secret);
    await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(alertEvent(home)), { qos: 1 });
    await c.endAsync();
    await w.t.cloud.responses.settle(); // level 1 (the assignment) follows the commit the PUBACK confirmed
    const kase = await waitFor(async () => {
      const items = (await w.t.api('GET', `/cases?residentId=${home.residentId}`)).body.items;
      return items.find((x: any) => x.openedAt === start.toISOString());
    });
    expect(kase.assigneeId).toBe(plan.worker);
    const worker = { type: 'worker', id: plan.worker };
    const desk = { type: 'duty_desk', id: '值班员 陈' };
    const later = (s: number) => {
      now = new Date(start.getTime() + s * 1000);
    };
    if (plan.ackS !== undefined) {
      later(plan.ackS);
      await move(kase.id, 'acknowledged', worker);
    }
    if (plan.onSiteS !== undefined) {
      later(plan.onSiteS);
      await move(kase.id, 'on_site', worker);
    }
    later(2400);
    if (plan.end === 'closed' || plan.end === 'resolved') await move(kase.id, 'resolved', worker);
    if (plan.end === 'closed') await move(kase.id, 'closed', desk);
    if (plan.end === 'false_alarm') await move(kase.id, 'false_alarm', worker);
    if (plan.end === 'cancelled') await move(kase.id, 'cancelled', desk);
    await w.t.cloud.jobs.pollNow(); // delayS 0: the survey goes now
    await w.t.cloud.sender.drain();
    for (const body of plan.replies ?? []) {
      const r = await w.twilio.sendInbound(`${PUBLIC_BASE}/webhooks/sms/twilio/inbound`, {
        from: home.phone,
        to: TWILIO.from,
        body,
      });
      expect(r.status).toBe(200);
    }
    if (plan.deskComplaint)
      await post(`/cases/${kase.id}/complaints`, { text: plan.deskComplaint, by: '陈' });
    return kase.id;
  }

  beforeAll(async () => {
    w = await startSmsWorld(backend, 'twilio-sms', {
      clock,
      config: {
        survey: { enabled: true, delayS: 0, replyWindowH: 72 },
        escalation: QUIET_ESCALATION, // nothing here is about deadlines
      },
    });
    await post('/stations', { id: 'north', name: '北站' });
    await post('/stations', { id: 'south', name: '南站' });
    const places = { 'w-a': 31.0, 'w-b': 31.5, 'w-c': 30.0 };
    for (const [id, lat] of Object.entries(places)) {
      await post('/workers', {
        id,
        stationId: id === 'w-c' ? 'south' : 'north',
        name: id,
        phone: `+86139000001${Object.keys(places).indexOf(id)}0`,
        skills: ['first_aid'],
        home: { lat, lon: 121.45 },
        shifts: ALL_DAY,
      });
      // Each resident lives at one worker's home base: dispatch picks that worker.
      const r = await post('/residents', {
        name: `住户 ${id}`,
        stationId: id === 'w-c' ? 'south' : 'north',
        lat,
        lon: 121.45,
      });
      const phone = `+86138000002${Object.keys(places).indexOf(id)}0`;
      await post(`/residents/${r.id}/guardians`, { name: '家属', phone, language: 'zh-CN' });
      const gw = await post('/gateways', { id: `gw-q-${id}-${backend}`, residentId: r.id });
      homes[id] = { residentId: r.id, gatewayId: gw.gatewayId, secret: gw.secret, guardianIds: [], phone };
    }

    const hour = (day: Date, h: number) => new Date(day.getTime() + h * 3_600_000);
    // Worker a, five cases on day 1.
    await runCase(homes['w-a']!, hour(DAY1, 0), {
      worker: 'w-a',
      ackS: 60,
      onSiteS: 600,
      end: 'closed',
      replies: ['5'],
    });
    await runCase(homes['w-a']!, hour(DAY1, 1), {
      worker: 'w-a',
      ackS: 120,
      onSiteS: 900,
      end: 'closed',
      replies: ['4分', '1'], // the second score is late: ignored
    });
    await runCase(homes['w-a']!, hour(DAY1, 2), {
      worker: 'w-a',
      ackS: 180,
      onSiteS: 1200,
      end: 'false_alarm', // visited: surveyed
      replies: ['二', '7'], // 2 is a complaint; 7 is not understood
    });
    await runCase(homes['w-a']!, hour(DAY1, 3), {
      worker: 'w-a',
      ackS: 240,
      end: 'cancelled', // not surveyed
      deskComplaint: '家属来电：电话没人接',
    });
    await runCase(homes['w-a']!, hour(DAY1, 4), { worker: 'w-a', ackS: 300, onSiteS: 1500, end: 'resolved' });
    // Worker b: one closed (rated 3, then words), one still waiting.
    await runCase(homes['w-b']!, hour(DAY1, 0), {
      worker: 'w-b',
      ackS: 30,
      onSiteS: 300,
      end: 'closed',
      replies: ['3', '社工来得太慢了'],
    });
    await runCase(homes['w-b']!, hour(DAY1, 5), { worker: 'w-b', end: 'active' });
    // Worker c of the other station.
    await runCase(homes['w-c']!, hour(DAY1, 1), {
      worker: 'w-c',
      ackS: 90,
      onSiteS: 450,
      end: 'closed',
      replies: ['1'],
    });
    // Day 2, outside the period.
    await runCase(homes['w-a']!, hour(DAY2, 0), {
      worker: 'w-a',
      ackS: 999,
      onSiteS: 1999,
      end: 'closed',
      replies: ['5'],
    });
  }, 120_000);
  afterAll(() => w?.close());

  const dist = (d: Partial<Record<'1' | '2' | '3' | '4' | '5', number>>) => ({
    '1': 0,
    '2': 0,
    '3': 0,
    '4': 0,
    '5': 0,
    ...d,
  });

  it('per worker over day 1: medians, p90s, outcomes, satisfaction and complaints', async () => {
    const r = await w.t.api('GET', `/quality/workers?${PERIOD}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      from: '2024-05-06T00:00:00Z',
      to: '2024-05-07T00:00:00Z',
      items: [
        {
          workerId: 'w-a',
          stationId: 'north',
          cases: 5,
          // 60 120 180 240 300: median 180; p90 at rank 3.6 → 240 + 0.6·60
          timeToAcknowledge: { count: 5, medianS: 180, p90S: 276 },
          // 600 900 1200 1500: median (900+1200)/2; p90 at rank 2.7 → 1200 + 0.7·300
          timeToOnSite: { count: 4, medianS: 1050, p90S: 1410 },
          outcomes: { active: 0, resolved: 1, closed: 2, cancelled: 1, falseAlarm: 1 },
          satisfaction: { count: 3, mean: 3.67, distribution: dist({ '2': 1, '4': 1, '5': 1 }) },
          complaints: 2, // the score of 2, and the desk's record
        },
        {
          workerId: 'w-b',
          stationId: 'north',
          cases: 2,
          timeToAcknowledge: { count: 1, medianS: 30, p90S: 30 },
          timeToOnSite: { count: 1, medianS: 300, p90S: 300 },
          outcomes: { active: 1, resolved: 0, closed: 1, cancelled: 0, falseAlarm: 0 },
          satisfaction: { count: 1, mean: 3, distribution: dist({ '3': 1 }) },
          complaints: 1, // the words after the score
        },
        {
          workerId: 'w-c',
          stationId: 'south',
          cases: 1,
          timeToAcknowledge: { count: 1, medianS: 90, p90S: 90 },
          timeToOnSite: { count: 1, medianS: 450, p90S: 450 },
          outcomes: { active: 0, resolved: 0, closed: 1, cancelled: 0, falseAlarm: 0 },
          satisfaction: { count: 1, mean: 1, distribution: dist({ '1': 1 }) },
          complaints: 1,
        },
      ],
    });
  });

  it('per station over day 1, and one station alone', async () => {
    const r = await w.t.api('GET', `/quality/stations?${PERIOD}`);
    expect(r.body.items).toEqual([
      {
        stationId: 'north',
        cases: 7,
        // 30 60 120 180 240 300: median (120+180)/2; p90 at rank 4.5 → 240 + 0.5·60
        timeToAcknowledge: { count: 6, medianS: 150, p90S: 270 },
        // 300 600 900 1200 1500: median 900; p90 at rank 3.6 → 1200 + 0.6·300
        timeToOnSite: { count: 5, medianS: 900, p90S: 1380 },
        outcomes: { active: 1, resolved: 1, closed: 3, cancelled: 1, falseAlarm: 1 },
        satisfaction: { count: 4, mean: 3.5, distribution: dist({ '2': 1, '3': 1, '4': 1, '5': 1 }) },
        complaints: 3,
      },
      expect.objectContaining({ stationId: 'south', cases: 1, complaints: 1 }),
    ]);
    const south = await w.t.api('GET', `/quality/workers?${PERIOD}&stationId=south`);
    expect(south.body.items.map((x: any) => x.workerId)).toEqual(['w-c']);
  });

  it('without a period counts day 2 too', async () => {
    const r = await w.t.api('GET', '/quality/workers?stationId=north');
    expect(r.body).toMatchObject({ from: null, to: null });
    expect(r.body.items[0]).toMatchObject({
      workerId: 'w-a',
      cases: 6,
      timeToAcknowledge: { count: 6, medianS: 210 },
      satisfaction: { count: 4, mean: 4 },
    });
  });

  it('refuses a period that ends before it starts, and a malformed instant', async () => {
    const back = await w.t.api('GET', '/quality/stations?from=2024-05-07T00:00:00Z&to=2024-05-06T00:00:00Z');
    expect([back.status, back.body.code]).toEqual([400, 'CLOUD_QUALITY_BAD_PERIOD']);
    const bad = await w.t.api('GET', '/quality/stations?from=yesterday');
    expect([bad.status, bad.body.code]).toEqual([400, 'CLOUD_VALIDATION_FAILED']);
  });
});
