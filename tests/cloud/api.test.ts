import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifierFactory } from '../../cloud/src/notify/index.ts';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, startTestCloud, type TestCloud, waitFor } from './cloud-fixture.ts';

const TOKEN = 'test-token-0123456789abcdef';

/** A provider that is down: every send fails. */
const downProvider: NotifierFactory = () => ({
  channel: 'sms-down',
  send: async () => {
    throw new Error('provider returned 503');
  },
});

describe.each(backends)('cloud REST API (%s)', (backend) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud(backend, { apiToken: TOKEN });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('authentication', () => {
    it('answers 401 with a stable code without a token or with a wrong one', async () => {
      const none = await t.api('POST', '/residents', { name: 'A' }, { authorization: '' });
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ statusCode: 401, code: 'CLOUD_AUTH_MISSING_TOKEN' });
      const wrong = await t.api('GET', '/cases', undefined, { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('CLOUD_AUTH_INVALID_TOKEN');
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await t.api('GET', '/cases')).status).toBe(200); // the fixture sends the right token
    });

    it('leaves /health, /metrics and /docs open', async () => {
      for (const path of ['/health', '/metrics', '/docs/json', '/docs']) {
        const r = await t.api('GET', path, undefined, { authorization: '' });
        expect(r.status, path).toBe(200);
      }
      const health = (await t.api('GET', '/health')).body;
      expect(health).toMatchObject({
        status: 'ok',
        db: { ok: true, kind: backend },
        broker: { ok: true, url: t.cloud.mqttUrl },
      });
    });
  });

  describe('validation', () => {
    it.each([
      ['POST', '/residents', {}],
      ['POST', '/residents', { name: '' }],
      ['POST', '/residents', { name: 'A', language: 'fr' }],
      ['POST', '/residents', { name: 'A', extra: 1 }],
      ['POST', '/gateways', { id: 'has/slash', residentId: 'x' }],
      ['POST', '/gateways', { id: 'gw-1' }],
      ['POST', '/cases/abc/ack', {}],
      ['GET', '/cases?status=shut', undefined],
      ['GET', '/cases?kind=explosion', undefined],
      ['GET', '/notifications?limit=0', undefined],
    ])('%s %s %j → 400 CLOUD_VALIDATION_FAILED', async (method, path, body) => {
      const r = await t.api(method, path, body);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        statusCode: 400,
        code: 'CLOUD_VALIDATION_FAILED',
        message: expect.any(String),
      });
    });

    it('rejects bad guardian profiles', async () => {
      const { id } = (await t.api('POST', '/residents', { name: 'B' })).body;
      for (const g of [
        { name: 'G', phone: 'call me', language: 'en' },
        { name: 'G', phone: '+8613800000000', language: 'de' },
        { name: 'G', phone: '+8613800000000' },
      ]) {
        const r = await t.api('POST', `/residents/${id}/guardians`, g);
        expect(r.status, JSON.stringify(g)).toBe(400);
        expect(r.body.code).toBe('CLOUD_VALIDATION_FAILED');
      }
    });

    it('answers malformed JSON and unknown routes with a code too', async () => {
      const bad = await t.api('POST', '/residents', '{"name":', { 'content-type': 'application/json' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toEqual(expect.any(String));
      const missing = await t.api('GET', '/nowhere');
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('CLOUD_ROUTE_NOT_FOUND');
    });
  });

  describe('residents, guardians and gateways', () => {
    it('creates and reads them back; the gateway secret is shown once', async () => {
      const created = await t.api('POST', '/residents', {
        name: 'Grandma Li',
        address: '1 Road',
        language: 'en',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'Grandma Li', language: 'en' });
      const id = created.body.id;
      expect((await t.api('GET', `/residents/${id}`)).body).toEqual(created.body);
      expect((await t.api('POST', '/residents', { name: 'X' })).body.language).toBe('zh-CN');

      const g = await t.api('POST', `/residents/${id}/guardians`, {
        name: 'Son',
        phone: '+447700900123',
        language: 'en',
      });
      expect(g.status).toBe(201);
      expect((await t.api('GET', `/residents/${id}/guardians`)).body.items).toEqual([g.body]);

      const gw = await t.api('POST', '/gateways', { id: 'gw-li-1', residentId: id });
      expect(gw.status).toBe(201);
      expect(gw.body).toEqual({
        gatewayId: 'gw-li-1',
        residentId: id,
        secret: expect.stringMatching(/^[\w-]{32}$/),
      });
      const read = await t.api('GET', '/gateways/gw-li-1');
      expect(read.body).toMatchObject({
        gatewayId: 'gw-li-1',
        residentId: id,
        connected: false,
        lastHeartbeat: null,
      });
      expect(read.text).not.toContain(gw.body.secret);
    });

    it('answers 404 and 409 with stable codes', async () => {
      const { id } = (await t.api('POST', '/residents', { name: 'C' })).body;
      expect((await t.api('GET', '/residents/nope')).body.code).toBe('CLOUD_RESIDENT_NOT_FOUND');
      expect((await t.api('GET', '/residents/nope/guardians')).status).toBe(404);
      const g = await t.api('POST', '/residents/nope/guardians', {
        name: 'G',
        phone: '+8613800000000',
        language: 'en',
      });
      expect([g.status, g.body.code]).toEqual([404, 'CLOUD_RESIDENT_NOT_FOUND']);
      const gw = await t.api('POST', '/gateways', { id: 'gw-404', residentId: 'nope' });
      expect([gw.status, gw.body.code]).toEqual([404, 'CLOUD_RESIDENT_NOT_FOUND']);
      expect((await t.api('POST', '/gateways', { id: 'gw-twice', residentId: id })).status).toBe(201);
      const twice = await t.api('POST', '/gateways', { id: 'gw-twice', residentId: id });
      expect([twice.status, twice.body.code]).toEqual([409, 'CLOUD_GATEWAY_EXISTS']);
      expect((await t.api('GET', '/gateways/nope')).body.code).toBe('CLOUD_GATEWAY_NOT_FOUND');
      expect((await t.api('GET', '/cases/nope')).body.code).toBe('CLOUD_CASE_NOT_FOUND');
    });
  });

  describe('cases', () => {
    it('acknowledges an open case once; again is 409, unknown is 404', async () => {
      const home = await t.enrol();
      const c = await t.connectGateway(home.gatewayId, home.secret);
      await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(alertEvent(home, { kind: 'sos' })), {
        qos: 1,
      });
      await t.cloud.responses.settle(); // the guardians' text follows the commit
      const [kase] = (await t.api('GET', `/cases?residentId=${home.residentId}&status=open&kind=sos`)).body
        .items;
      expect(kase).toMatchObject({ status: 'open', kind: 'sos' });

      const ack = await t.api('POST', `/cases/${kase.id}/ack`, { by: 'worker 12' });
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({ id: kase.id, status: 'acknowledged', acknowledgedBy: 'worker 12' });
      expect(ack.body.acknowledgedAt).toEqual(expect.any(String));

      const again = await t.api('POST', `/cases/${kase.id}/ack`, { by: 'worker 12' });
      expect([again.status, again.body.code]).toEqual([409, 'CLOUD_CASE_NOT_OPEN']);
      const unknown = await t.api('POST', '/cases/00000000-0000-0000-0000-000000000000/ack', { by: 'x' });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'CLOUD_CASE_NOT_FOUND']);

      const detail = (await t.api('GET', `/cases/${kase.id}`)).body;
      expect(detail.timeline.map((e: any) => e.type)).toEqual(['opened', 'notified', 'acknowledged']);
      expect(detail.timeline[2].detail).toEqual({ by: 'worker 12' });
      expect((await t.api('GET', `/cases?residentId=${home.residentId}&status=open`)).body.items).toEqual([]);
      expect(
        (await t.api('GET', `/cases?residentId=${home.residentId}&status=acknowledged`)).body.items,
      ).toHaveLength(1);
    });
  });

  it('sends, on resume, notifications a previous run committed but never sent', async () => {
    const home = await t.enrol();
    await t.db.query(
      "INSERT INTO cases (id, resident_id, kind, severity) VALUES ('case-left', $1, 'fall', 'urgent')",
      [home.residentId],
    );
    await t.db.query(
      `INSERT INTO notifications (id, case_id, recipient_phone, language, body, channel, status, created_at)
       VALUES ('n-left', 'case-left', '+8613800000009', 'zh-CN', 'x', 'sms-log', 'pending', now() - interval '5 minutes')`,
    );
    expect(await t.cloud.sender.resumePending()).toBe(1);
    const [n] = (await t.api('GET', '/notifications?caseId=case-left')).body.items;
    expect(n).toMatchObject({ id: 'n-left', status: 'sent' });
    expect(await t.cloud.sender.resumePending()).toBe(0); // claimed once, never sent twice
  });

  it('documents every route with its request and response schemas', async () => {
    const doc = (await t.api('GET', '/docs/json')).body;
    const expected: [string, string][] = [
      ['/residents', 'post'],
      ['/residents/{id}', 'get'],
      ['/residents/{id}/guardians', 'post'],
      ['/residents/{id}/guardians', 'get'],
      ['/gateways', 'post'],
      ['/gateways/{id}', 'get'],
      ['/cases', 'get'],
      ['/cases/{id}', 'get'],
      ['/cases/{id}/ack', 'post'],
      ['/notifications', 'get'],
      ['/health', 'get'],
      ['/metrics', 'get'],
    ];
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      if (method === 'post') expect(op.requestBody, `${method} ${path}`).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Resident',
        'Guardian',
        'Gateway',
        'Case',
        'CaseDetail',
        'Notification',
        'ErrorResponse',
      ]),
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('a notification channel that fails', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud('pglite', {
      notifiers: { 'sms-down': downProvider },
      config: { notify: { guardianChannel: 'sms-down' } },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records the failure on the notification, the timeline and the metrics, and keeps the case open', async () => {
    const home = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(alertEvent(home)), { qos: 1 });
    const [kase] = (await t.api('GET', `/cases?residentId=${home.residentId}`)).body.items;
    const detail = await waitFor(async () => {
      const d = (await t.api('GET', `/cases/${kase.id}`)).body;
      return d.notifications[0]?.status === 'failed' && d.timeline.length === 2 && d;
    });
    expect(detail.status).toBe('open');
    expect(detail.notifications[0]).toMatchObject({ channel: 'sms-down', error: 'provider returned 503' });
    expect(detail.timeline.map((e: any) => e.type)).toEqual(['opened', 'notification_failed']);
    expect(await t.metric('anju_notifications_total', { channel: 'sms-down', status: 'failed' })).toBe(1);
  });
});
