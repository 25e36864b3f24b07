/**
 * Satisfaction surveys (issue 4), on PGlite and (with DATABASE_URL) PostgreSQL, through the real cloud:
 * cases closed through the REST state machine, surveys sent by the timer poller as real Twilio API calls
 * to the fake provider, replies posted to the signed inbound webhook. The service clock is moved by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, type Home, waitFor } from '../cloud/cloud-fixture.ts';
import { PUBLIC_BASE, QUIET_ESCALATION, type SmsWorld, startSmsWorld, TWILIO } from '../sms/sms-fixture.ts';

const INBOUND = `${PUBLIC_BASE}/webhooks/sms/twilio/inbound`;
// Monday 2024-05-06 21:50 in Asia/Shanghai: the survey (10 min after closing) falls in quiet hours.
const T0 = new Date('2024-05-06T13:50:00Z');
const ZH = '+8613800000001'; // quiet 22:00–07:00
const EN = '+447700900123';
const ref = (id: string) => id.replaceAll('-', '').slice(0, 8).toUpperCase();

describe.each(backends)('satisfaction surveys (%s)', (backend) => {
  let w: SmsWorld;
  let now = T0;
  const clock = { now: () => now };
  const at = async (s: number) => {
    now = new Date(T0.getTime() + s * 1000);
    await w.t.cloud.jobs.pollNow();
    await w.t.cloud.sender.drain();
  };
  const post = async (path: string, body: unknown, status = 201) => {
    const r = await w.t.api('POST', path, body);
    expect(r.status, `${path} ${r.text}`).toBe(status);
    return r.body;
  };
  const move = (caseId: string, to: string, actor = { type: 'duty_desk', id: 'desk' }) =>
    post(`/cases/${caseId}/transitions`, { to, actor }, 200);
  const reply = async (from: string, body: string) => {
    const r = await w.twilio.sendInbound(INBOUND, { from, to: TWILIO.from, body });
    expect(r.status).toBe(200);
    return r.text;
  };
  const texts = (to: string) => w.twilio.accepted.filter((m) => m.to === to).map((m) => m.body);
  const openCase = async (home: Home) => {
    const c = await w.t.connectGateway(home.gatewayId, home.secret);
    const before = (await w.t.api('GET', `/cases?residentId=${home.residentId}`)).body.items.length;
    await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(alertEvent(home)), { qos: 1 });
    await c.endAsync();
    const items = await waitFor(async () => {
      const r = (await w.t.api('GET', `/cases?residentId=${home.residentId}`)).body.items;
      return r.length > before ? r : undefined;
    });
    await w.t.cloud.responses.settle(); // level 1 and its texts follow the commit the PUBACK confirmed
    return items[0].id as string;
  };

  beforeAll(async () => {
    w = await startSmsWorld(backend, 'twilio-sms', {
      clock,
      config: {
        survey: { enabled: true, delayS: 600, replyWindowH: 72 },
        escalation: QUIET_ESCALATION, // nothing here is about deadlines
      },
    });
  });
  afterAll(() => w?.close());

  describe('after a case with a worker is closed', () => {
    let caseId: string;
    let zhId: string;
    let enId: string;

    beforeAll(async () => {
      await post('/stations', { id: 'jingan', name: '静安寺街道社工站' });
      await post('/workers', {
        id: 'w-li',
        stationId: 'jingan',
        name: '李社工',
        phone: '+8613900000010',
        skills: ['first_aid'],
        home: { lat: 31.23, lon: 121.45 },
        shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }],
      });
      const resident = await post('/residents', {
        name: '王奶奶',
        address: '静安区南京西路1号 3-201',
        stationId: 'jingan',
        lat: 31.2286,
        lon: 121.4547,
      });
      const zh = await post(`/residents/${resident.id}/guardians`, {
        name: '女儿',
        phone: ZH,
        language: 'zh-CN',
        quietHours: { start: '22:00', end: '07:00' },
      });
      const en = await post(`/residents/${resident.id}/guardians`, {
        name: 'Son',
        phone: EN,
        language: 'en',
      });
      [zhId, enId] = [zh.id, en.id];
      const gw = await post('/gateways', { id: `gw-survey-${backend}`, residentId: resident.id });
      now = new Date(T0.getTime() - 3600_000);
      caseId = await openCase({ ...gw, residentId: resident.id, guardianIds: [] });
      for (const to of ['acknowledged', 'en_route', 'on_site', 'resolved']) {
        await move(caseId, to, { type: 'worker', id: 'w-li' });
      }
      // Nobody is asked anything before the case is closed.
      await at(-60);
      expect(texts(EN)).toEqual([]);
      now = T0; // 21:50 local: the desk closes it
      await move(caseId, 'closed');
    });

    it('texts each guardian in their language 10 minutes later, after quiet hours for the one who has them', async () => {
      await at(599);
      expect(texts(EN)).toEqual([]);
      await at(600); // 22:00 local: the English guardian has no quiet hours
      expect(texts(EN)).toEqual([
        `[Anju] The fall alert for 王奶奶 has been closed (Ref ${ref(caseId)}). How did we do? Reply 1-5 (5 = very good), or reply with your comments.`,
      ]);
      expect(texts(ZH)).toEqual([]);
      const surveys = (await w.t.api('GET', `/cases/${caseId}/surveys`)).body.items;
      const zh = surveys.find((s: any) => s.guardianId === zhId);
      expect(zh).toMatchObject({ language: 'zh-CN', sentAt: null, dueAt: '2024-05-06T23:00:00.000Z' });

      await at(9 * 3600 + 9 * 60); // 06:59 local: still quiet
      expect(texts(ZH)).toEqual([]);
      await at(9 * 3600 + 10 * 60); // 07:00 local
      expect(texts(ZH)).toEqual([
        `【安居】王奶奶的跌倒求助已处理完毕（编号${ref(caseId)}）。请为本次服务打分：回复1-5（5=非常满意），有意见也可直接回复文字。`,
      ]);
      await at(20 * 3600); // polling again sends nothing twice
      expect(texts(ZH)).toHaveLength(1);
      expect(texts(EN)).toHaveLength(1);
    });

    it('stores the first score with the case; a second is ignored; garbled replies get help; low scores and words are complaints', async () => {
      expect(await reply(EN, '4')).toContain('<Message>[Anju] Thank you for your rating (4)!</Message>');
      expect(await reply(EN, '5 stars')).toContain('your first rating stands');
      expect(await reply(ZH, '６')).toContain(
        '【安居】请回复1-5的数字为服务打分（5=非常满意）。[Anju] Please reply with a number 1-5 to rate our service (5 = very good).',
      );
      expect(await reply(ZH, '１分')).toContain('已收到您的评分（1分）。很抱歉让您失望');
      expect(await reply(ZH, '社工来得太慢了')).toContain('已收到您的意见');
      await post(`/cases/${caseId}/complaints`, { text: '家属来电：等了很久', by: '值班员 陈' });

      const surveys = (await w.t.api('GET', `/cases/${caseId}/surveys`)).body.items;
      const byGuardian = Object.fromEntries(surveys.map((s: any) => [s.guardianId, s]));
      expect(byGuardian[enId]).toMatchObject({ score: 4, rawReply: '4', lateReplies: 1, helpReplies: 0 });
      expect(byGuardian[zhId]).toMatchObject({ score: 1, rawReply: '１分', lateReplies: 0, helpReplies: 1 });
      expect((await w.t.api('GET', `/cases/${caseId}`)).body.timeline.map((e: any) => e.type)).toEqual(
        expect.arrayContaining(['survey_sent', 'survey_answered', 'complaint']),
      );
      const { rows } = await w.t.db.query<{ satisfaction: number }>(
        'SELECT satisfaction FROM cases WHERE id = $1',
        [caseId],
      );
      expect(rows[0]!.satisfaction).toBe(3); // round((4 + 1) / 2): what the Grafana panels read

      const complaints = (await w.t.api('GET', `/cases/${caseId}/complaints`)).body.items;
      expect(complaints.map((c: any) => [c.source, c.score, c.text, c.recordedBy])).toEqual([
        ['low_score', 1, null, null],
        ['survey_text', null, '社工来得太慢了', null],
        ['duty_desk', null, '家属来电：等了很久', '值班员 陈'],
      ]);
      const m = (outcome: string) => w.t.metric('anju_survey_replies_total', { outcome });
      expect([await m('score'), await m('late'), await m('help'), await m('complaint')]).toEqual([
        2, 1, 1, 1,
      ]);
      expect(await w.t.metric('anju_complaints_total', { source: 'duty_desk' })).toBe(1);
      const inbound = await w.t.db.query<{ outcome: string }>(
        `SELECT outcome FROM inbound_messages WHERE case_id = $1 ORDER BY received_at, created_at`,
        [caseId],
      );
      expect(inbound.rows.map((r) => r.outcome)).toEqual([
        'survey_score',
        'survey_late',
        'survey_help',
        'survey_score',
        'complaint',
      ]);
      // No phone number in the logs.
      expect(w.t.logs.join('\n')).not.toContain(ZH);
    });

    it('answers 404 CLOUD_CASE_NOT_FOUND for an unknown case and 400 for an empty complaint', async () => {
      const missing = await w.t.api('POST', '/cases/nope/complaints', { text: 'x', by: 'desk' });
      expect([missing.status, missing.body.code]).toEqual([404, 'CLOUD_CASE_NOT_FOUND']);
      const empty = await w.t.api('POST', `/cases/${caseId}/complaints`, { text: '', by: 'desk' });
      expect([empty.status, empty.body.code]).toEqual([400, 'CLOUD_VALIDATION_FAILED']);
    });
  });

  describe('"1" from a guardian with an open alert and a survey', () => {
    // A home without a station: its guardian is texted the alert itself and answers it by SMS.
    const PHONE = '+8613800000077';
    let home: Home;

    /** Opens a case, closes it through the desk, and lets its survey go out. */
    async function surveyedCase(): Promise<string> {
      const id = await openCase(home);
      for (const to of ['acknowledged', 'resolved', 'closed']) await move(id, to);
      await at((now.getTime() - T0.getTime()) / 1000 + 600);
      return id;
    }

    beforeAll(async () => {
      home = await w.t.enrol({ guardians: [{ name: 'Niece', phone: PHONE, language: 'en' }] });
      now = new Date('2024-05-08T02:00:00Z'); // 10:00 local
    });

    it('takes it as a score when the survey came after the alert, then "OK" acknowledges the alert', async () => {
      const waiting = await openCase(home); // the alert asks for "1"
      const surveyed = await (async () => {
        // A second kind of case, closed and surveyed while the first one still waits.
        const c = await w.t.connectGateway(home.gatewayId, home.secret);
        await c.publishAsync(
          topics.events(home.gatewayId),
          JSON.stringify(alertEvent(home, { kind: 'sos' })),
          { qos: 1 },
        );
        await c.endAsync();
        const id = await waitFor(async () => {
          const items = (await w.t.api('GET', `/cases?residentId=${home.residentId}&kind=sos`)).body.items;
          return items[0]?.id as string | undefined;
        });
        await w.t.cloud.sender.drain();
        for (const to of ['acknowledged', 'resolved', 'closed']) await move(id, to);
        await at((now.getTime() - T0.getTime()) / 1000 + 600);
        return id;
      })();
      expect(texts(PHONE).at(-1)).toContain(`(Ref ${ref(surveyed)})`);

      expect(await reply(PHONE, '1')).toContain('Thank you for your rating (1)');
      expect((await w.t.api('GET', `/cases/${waiting}`)).body.status).toBe('open');
      expect((await w.t.api('GET', `/cases/${surveyed}/surveys`)).body.items[0].score).toBe(1);

      // "OK" is never a score: it goes to the alert still waiting.
      expect(await reply(PHONE, 'OK')).toContain(`Confirmed, thank you. Alert ${ref(waiting)}`);
      expect((await w.t.api('GET', `/cases/${waiting}`)).body.status).toBe('acknowledged');
      for (const to of ['resolved', 'closed']) await move(waiting, to);
    });

    it('takes it as an acknowledgement when the alert came after the survey, then as the score', async () => {
      await at((now.getTime() - T0.getTime()) / 1000 + 3600);
      const surveyed = await surveyedCase();
      // The previous test's survey for `waiting` went out too; answer it so only `surveyed` is open.
      const open = await w.t.db.query<{ case_id: string }>(
        'SELECT case_id FROM case_surveys WHERE score IS NULL AND sent_at IS NOT NULL AND case_id <> $1',
        [surveyed],
      );
      for (const r of open.rows) await reply(PHONE, `5 ${ref(r.case_id)}`);

      const alerted = await openCase(home);
      expect(await reply(PHONE, '1')).toContain(`Confirmed, thank you. Alert ${ref(alerted)}`);
      expect((await w.t.api('GET', `/cases/${alerted}`)).body.status).toBe('acknowledged');
      expect((await w.t.api('GET', `/cases/${surveyed}/surveys`)).body.items[0].score).toBeNull();

      // Nothing waits for an acknowledgement any more: the next "1" answers the open survey.
      expect(await reply(PHONE, '1')).toContain('Thank you for your rating (1)');
      expect((await w.t.api('GET', `/cases/${surveyed}/surveys`)).body.items[0].score).toBe(1);
      // Once it has one, another score is late; a cancelled case asks nobody.
      expect(await reply(PHONE, '4')).toContain('your first rating stands');
      await move(alerted, 'cancelled');
      await at((now.getTime() - T0.getTime()) / 1000 + 3600);
      expect((await w.t.api('GET', `/cases/${alerted}/surveys`)).body.items).toEqual([]);
    });
  });
});
