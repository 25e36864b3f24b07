/**
 * Aliyun sends only registered templates: each kind of text goes out as its own TemplateCode (per
 * language) with exactly the parameters that template declares, the address only to staff and only with
 * the resident's consent. Real cloud, real signed SendSms requests to the fake gateway, which checks the
 * declared variables of each registered template (tests/sms/sms-fixture.ts).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../../cloud/src/app.ts';
import { loadConfig } from '../../cloud/src/config/index.ts';
import { IN_MEMORY } from '../../cloud/src/db/index.ts';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, waitFor } from '../cloud/cloud-fixture.ts';
import { ALIYUN, QUIET_ESCALATION, type SmsWorld, startSmsWorld } from '../sms/sms-fixture.ts';

const T0 = new Date('2024-05-06T02:00:00Z'); // 10:00 in Asia/Shanghai
const ADDRESS = '静安区南京西路1号 3-201';
const ref = (id: string) => id.replaceAll('-', '').slice(0, 8).toUpperCase();

describe.each(backends)('Aliyun templates by message type and language (%s)', (backend) => {
  let w: SmsWorld;
  const now = T0;
  const clock = { now: () => now };
  const post = async (path: string, body: unknown, status = 201) => {
    const r = await w.t.api('POST', path, body);
    expect(r.status, `${path} ${r.text}`).toBe(status);
    return r.body;
  };
  const sentTo = (phone: string) =>
    w.aliyun.accepted.filter((a) => phone.endsWith(a.phoneNumbers.slice(-11)));

  async function home(
    slug: string,
    name: string,
    consent: Record<string, boolean>,
    guardianPhone: string,
    language: string,
  ) {
    const r = await post('/residents', {
      name,
      address: ADDRESS,
      stationId: 'jingan',
      lat: 31.2,
      lon: 121.4,
      consent,
    });
    await post(`/residents/${r.id}/guardians`, { name: '家属', phone: guardianPhone, language });
    const gw = await post('/gateways', { id: `gw-ali-${slug}-${backend}`, residentId: r.id });
    return { residentId: r.id, gatewayId: gw.gatewayId, secret: gw.secret, guardianIds: [] };
  }
  async function open(h: Awaited<ReturnType<typeof home>>): Promise<string> {
    const c = await w.t.connectGateway(h.gatewayId, h.secret);
    await c.publishAsync(
      topics.events(h.gatewayId),
      JSON.stringify(alertEvent(h, { occurredAt: T0.toISOString() })),
      {
        qos: 1,
      },
    );
    await c.endAsync();
    const id = await waitFor(
      async () => (await w.t.api('GET', `/cases?residentId=${h.residentId}`)).body.items[0]?.id,
    );
    await w.t.cloud.responses.settle(); // level 1 and its texts follow the commit the PUBACK confirmed
    return id as string;
  }

  beforeAll(async () => {
    w = await startSmsWorld(backend, 'aliyun-sms', {
      clock,
      config: {
        survey: { enabled: true, delayS: 0, replyWindowH: 72 },
        escalation: QUIET_ESCALATION, // nothing here is about deadlines
      },
    });
    await post('/stations', { id: 'jingan', name: '静安寺街道社工站' });
    await post('/workers', {
      id: 'w-zhang',
      stationId: 'jingan',
      name: '张社工',
      phone: '+8613900000010',
      skills: ['first_aid'],
      home: { lat: 31.2, lon: 121.4 },
      shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }],
    });
  });
  afterAll(() => w?.close());

  it('sends the worker the dispatch template with the address, and the guardian the survey template without it', async () => {
    const h = await home('wang', '王奶奶', { shareAddressWithWorkers: true }, '+8613800000001', 'zh-CN');
    const id = await open(h);
    expect(sentTo('+8613900000010').map((a) => [a.templateCode, a.templateParam])).toEqual([
      [
        ALIYUN.templates.worker_dispatch['zh-CN'],
        { event: '跌倒', name: '王奶奶', address: ADDRESS, time: '5月6日 10:00', ref: ref(id) },
      ],
    ]);
    expect(sentTo('+8613800000001')).toEqual([]); // a worker has it: the guardian is not alerted

    for (const to of ['acknowledged', 'on_site', 'resolved']) {
      await post(`/cases/${id}/transitions`, { to, actor: { type: 'worker', id: 'w-zhang' } }, 200);
    }
    await post(`/cases/${id}/transitions`, { to: 'closed', actor: { type: 'duty_desk', id: 'desk' } }, 200);
    await w.t.cloud.jobs.pollNow();
    await w.t.cloud.sender.drain();
    expect(sentTo('+8613800000001').map((a) => [a.templateCode, a.templateParam])).toEqual([
      [ALIYUN.templates.survey['zh-CN'], { name: '王奶奶', event: '跌倒', ref: ref(id) }],
    ]);
    await post(`/cases/${id}/transitions`, { to: 'closed', actor: { type: 'duty_desk', id: 'desk' } }, 409);
  });

  it('leaves the address out of the worker text when the resident did not consent', async () => {
    const h = await home('li', '李爷爷', { shareAddressWithWorkers: false }, '+8613800000002', 'en');
    const id = await open(h);
    const worker = sentTo('+8613900000010').at(-1)!;
    expect(worker.templateCode).toBe(ALIYUN.templates.worker_dispatch['zh-CN']);
    expect(worker.templateParam).toMatchObject({ name: '李爷爷', address: '地址未登记', ref: ref(id) });
    expect(w.aliyun.refused).toEqual([]);
  });

  it('refuses to start when a text it would send has no template, naming each key', async () => {
    const { templates: _all, ...legacyOnly } = ALIYUN;
    const config = loadConfig({
      env: {},
      overrides: {
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { host: '127.0.0.1', port: 0 },
        database: { dataDir: IN_MEMORY },
        notify: { guardianChannel: 'aliyun-sms', providers: { aliyun: { ...legacyOnly } } },
      },
    });
    const err = await startCloud(config, { logger: pino({ level: 'silent' }) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CLOUD_CONFIG_INVALID' });
    expect((err as { problems: string[] }).problems.map((p) => p.split(':')[0])).toEqual([
      'notify.providers.aliyun.templates.guardian_emergency.zh-CN',
      'notify.providers.aliyun.templates.worker_dispatch.zh-CN',
      'notify.providers.aliyun.templates.supervisor_escalation.zh-CN',
      'notify.providers.aliyun.templates.survey.zh-CN',
    ]);
  });
});
