/**
 * Issue 4 acceptance, on PGlite and (with DATABASE_URL) PostgreSQL: a fall at 03:00 whose first worker
 * does not answer reaches the second worker, then level 2 at its deadline. The service clock is moved by
 * hand and the timers are polled explicitly, so minutes of deadlines take milliseconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEvent, backends, startTestCloud, type TestCloud, waitFor } from '../cloud/cloud-fixture.ts';

const T0 = new Date('2024-05-06T19:00:00Z'); // Tuesday 03:00 in Asia/Shanghai
const NIGHT = { weekdays: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' };
const DAY = { weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' };
const HOME = { lat: 31.2286, lon: 121.4547 };
const ADDRESS = '静安区南京西路1号 3-201';

describe.each(backends)('a fall at 03:00 (%s)', (backend) => {
  let t: TestCloud;
  let now = T0;
  const clock = { now: () => now };
  const advance = async (s: number) => {
    now = new Date(T0.getTime() + s * 1000);
    await t.cloud.jobs.pollNow();
    await t.cloud.sender.drain();
  };

  beforeAll(async () => {
    t = await startTestCloud(backend, {
      clock,
      config: {
        publicUrl: 'https://anju.example',
        escalation: {
          pollIntervalMs: 60_000,
          deadlines: { fall: { ackS: 300, level2S: 480, level3S: 600 } },
        },
        dispatch: { dutyDesk: { name: 'desk', phone: '+8613700000000', language: 'zh-CN' } },
      },
    });
  });
  afterAll(() => t?.close());

  it('texts the nearest on-duty worker, then the next, then the supervisor and guardians at level 2', async () => {
    const post = async (path: string, body: unknown, status = 201) => {
      const r = await t.api('POST', path, body);
      expect(r.status, `${path} ${r.text}`).toBe(status);
      return r.body;
    };
    await post('/stations', {
      id: 'jingan',
      name: '静安寺街道社工站',
      supervisor: { name: '李站长', phone: '+8613900000009', language: 'zh-CN' },
    });
    const worker = (id: string, km: number, shifts: unknown[], language = 'zh-CN') =>
      post('/workers', {
        id,
        stationId: 'jingan',
        name: id,
        phone: `+86139000000${10 + km}`,
        language,
        skills: ['first_aid'],
        home: { lat: HOME.lat + km * 0.009, lon: HOME.lon },
        shifts,
      });
    await worker('w-near', 1, [NIGHT]);
    await worker('w-second', 3, [NIGHT], 'en');
    await worker('w-day', 0, [DAY]); // nearest of all, but asleep at 03:00
    const resident = await post('/residents', {
      name: '王奶奶',
      address: ADDRESS,
      stationId: 'jingan',
      ...HOME,
    });
    await post(`/residents/${resident.id}/guardians`, {
      name: '女儿',
      phone: '+8613800000001',
      language: 'zh-CN',
      quietHours: { start: '22:00', end: '07:00' }, // a fall is urgent: quiet hours do not hold it
    });
    await post(`/residents/${resident.id}/guardians`, {
      name: 'Son',
      phone: '+447700900123',
      language: 'en',
    });
    const gw = await post('/gateways', { id: `gw-night-${backend}`, residentId: resident.id });

    // 03:00 — the fall.
    const c = await t.connectGateway(gw.gatewayId, gw.secret);
    await c.publishAsync(
      `gw/${gw.gatewayId}/events`,
      JSON.stringify(
        alertEvent({ gatewayId: gw.gatewayId, residentId: resident.id }, { occurredAt: T0.toISOString() }),
      ),
      { qos: 1 },
    );
    await t.cloud.responses.settle(); // level 1 follows the commit that the PUBACK confirmed
    const kase = await waitFor(
      async () => (await t.api('GET', `/cases?residentId=${resident.id}`)).body.items[0],
    );
    expect(kase).toMatchObject({ status: 'assigned', level: 1, assigneeId: 'w-near', stationId: 'jingan' });
    expect(kase.ackDeadlineAt).toBe('2024-05-06T19:05:00.000Z');

    // Someone else may not take it; it cannot skip to on site.
    const notMine = await t.api('POST', `/cases/${kase.id}/transitions`, {
      to: 'acknowledged',
      actor: { type: 'worker', id: 'w-second' },
    });
    expect([notMine.status, notMine.body.code]).toEqual([409, 'CLOUD_CASE_NOT_ASSIGNEE']);
    const skip = await t.api('POST', `/cases/${kase.id}/transitions`, {
      to: 'on_site',
      actor: { type: 'worker', id: 'w-near' },
    });
    expect([skip.status, skip.body.code]).toEqual([409, 'CLOUD_CASE_TRANSITION_ILLEGAL']);

    await advance(299); // nothing is due yet
    expect((await t.api('GET', `/cases/${kase.id}`)).body.assigneeId).toBe('w-near');
    await advance(301); // w-near's deadline passed → w-second
    expect((await t.api('GET', `/cases/${kase.id}`)).body).toMatchObject({
      status: 'assigned',
      assigneeId: 'w-second',
      level: 1,
    });
    await advance(481); // level 2 deadline: supervisor and guardians
    expect((await t.api('GET', `/cases/${kase.id}`)).body).toMatchObject({ status: 'assigned', level: 2 });
    await advance(481); // polling again fires nothing twice

    // w-second answers at 03:08:20 and goes; the later timers (his deadline, level 3) are moot.
    const steps = ['acknowledged', 'en_route', 'on_site', 'resolved'] as const;
    for (const [i, to] of steps.entries()) {
      now = new Date(T0.getTime() + (500 + i * 300) * 1000);
      const r = await t.api('POST', `/cases/${kase.id}/transitions`, {
        to,
        actor: { type: 'worker', id: 'w-second' },
        ...(to === 'resolved' ? { note: 'helped up, no injury' } : {}),
      });
      expect(r.status, r.text).toBe(200);
    }
    await advance(3600);

    const detail = (await t.api('GET', `/cases/${kase.id}`)).body;
    expect(detail).toMatchObject({ status: 'resolved', level: 2, resolution: 'helped up, no injury' });

    // Every text each person got; the console links are signed per person and time (tests/console).
    const texts = detail.notifications.map((n: any) => [
      n.recipientRole,
      n.recipientId ?? n.recipientPhone,
      n.status,
      n.body.replace(/\/console\/l#\S+/, '/console/l#LINK'),
    ]);
    const [gDaughter, gSon] = (await t.api('GET', `/residents/${resident.id}/guardians`)).body.items;
    // Rows written in one transaction share created_at: compare the two guardian texts in a fixed order.
    const order = ['worker', 'supervisor', 'guardian'];
    texts.sort(
      (a: string[], b: string[]) =>
        order.indexOf(a[0]!) - order.indexOf(b[0]!) || (a[0] === 'guardian' ? a[1]!.localeCompare(b[1]!) : 0),
    );
    const guardians = [gDaughter, gSon].sort((a: any, b: any) => a.id.localeCompare(b.id));
    expect(texts).toEqual([
      [
        'worker',
        'w-near',
        'sent',
        `【安居·派单】跌倒：王奶奶，${ADDRESS}（5月7日 03:00）。请尽快确认并上门：https://anju.example/console/l#LINK 编号${ref(kase.id)}`,
      ],
      [
        'worker',
        'w-second',
        'sent',
        `[Anju dispatch] Fall: 王奶奶, ${ADDRESS} (7 May 03:00 GMT+8). Please acknowledge and visit: https://anju.example/console/l#LINK Ref ${ref(kase.id)}`,
      ],
      [
        'supervisor',
        'jingan',
        'sent',
        `【安居·二级响应】跌倒：王奶奶，${ADDRESS}（5月7日 03:00）已派给w-second但无人确认，请立即协调上门。编号${ref(kase.id)}`,
      ],
      ...guardians.map((g) => [
        'guardian',
        g.id,
        'sent',
        g.id === gDaughter.id
          ? `【安居·跌倒提醒】王奶奶可能跌倒了（5月7日 03:00）。请立即打电话确认其安全；如联系不上，请尽快上门查看，紧急情况拨打120。编号${ref(kase.id)} 处理进度：https://anju.example/console/l#LINK`
          : `[Anju Fall alert] 王奶奶 may have fallen (7 May 03:00 GMT+8). Please call now to check they are safe; if you cannot reach them, go there or call 120. Ref ${ref(kase.id)} Status: https://anju.example/console/l#LINK`,
      ]),
    ]);
    expect(detail.notifications.every((n: any) => n.notBefore === null)).toBe(true);

    // The timeline: every step, by whom, at the service clock's time ('notified' lines are the sends).
    const steps2 = detail.timeline
      .filter((e: any) => e.type !== 'notified')
      .map((e: any) => [
        e.type,
        e.at.slice(11, 19),
        e.detail.workerId ?? e.detail.level ?? e.detail.actor?.id ?? null,
      ]);
    expect(steps2).toEqual([
      ['opened', '19:00:00', null],
      ['assigned', '19:00:00', 'w-near'],
      ['ack_deadline_missed', '19:05:01', 'w-near'],
      ['assigned', '19:05:01', 'w-second'],
      ['escalated', '19:08:01', 2],
      ['acknowledged', '19:08:20', 'w-second'],
      ['en_route', '19:13:20', 'w-second'],
      ['on_site', '19:18:20', 'w-second'],
      ['resolved', '19:23:20', 'w-second'],
    ]);
    expect(detail.timeline.filter((e: any) => e.type === 'notified')).toHaveLength(5);

    // Each timer fired once; the ones that came after the acknowledgement did nothing.
    const { rows } = await t.db.query<{ kind: string; attempt: number; outcome: string }>(
      'SELECT kind, attempt, outcome FROM timers WHERE case_id = $1 ORDER BY due_at, kind',
      [kase.id],
    );
    expect(rows.map((r) => [r.kind, Number(r.attempt), r.outcome])).toEqual([
      ['ack_deadline', 1, 'reassigned'],
      ['level2', 1, 'escalated'],
      ['ack_deadline', 2, 'moot'],
      ['level3', 1, 'moot'],
    ]);

    // Service quality: time to acknowledge and to on site from opening, by worker and station.
    const q = (await t.api('GET', '/quality/workers?stationId=jingan')).body.items;
    expect(q).toEqual([
      expect.objectContaining({
        workerId: 'w-second',
        cases: 1,
        timeToAcknowledge: { count: 1, medianS: 500, p90S: 500 },
        timeToOnSite: { count: 1, medianS: 1100, p90S: 1100 },
        outcomes: { active: 0, resolved: 1, closed: 0, cancelled: 0, falseAlarm: 0 },
      }),
    ]);
    expect((await t.api('GET', '/quality/stations')).body.items).toEqual([
      expect.objectContaining({
        stationId: 'jingan',
        cases: 1,
        timeToAcknowledge: expect.objectContaining({ count: 1 }),
      }),
    ]);
  });
});

const ref = (id: string) => id.replaceAll('-', '').slice(0, 8).toUpperCase();
