/**
 * Issue 4, "roles and audit": a station sees only its own residents and cases, a guardian only their
 * resident's, and every person acts only as themselves — over real HTTP, on PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../cloud/cloud-fixture.ts';
import { bearer, startWorld, type World } from './auth-fixture.ts';

describe.each(backends)('roles and station scoping (%s)', (backend) => {
  let w: World;
  let caseA: string;
  let caseB: string;
  beforeAll(async () => {
    w = await startWorld(backend);
    caseA = await w.openCase(w.a, 'fall');
    caseB = await w.openCase(w.b, 'fall');
  });
  afterAll(async () => {
    await w?.t.close();
  });

  const get = (path: string, token: string) => w.t.api('GET', path, undefined, bearer(token));

  it("answers a station user 404 for another station's case, resident, guardians, gateway, worker and station — as for an id that does not exist", async () => {
    const { deskA } = w.tokens;
    const foreign: [string, string][] = [
      [`/cases/${caseB}`, 'CLOUD_CASE_NOT_FOUND'],
      [`/residents/${w.b.residentId}`, 'CLOUD_RESIDENT_NOT_FOUND'],
      [`/residents/${w.b.residentId}/guardians`, 'CLOUD_RESIDENT_NOT_FOUND'],
      [`/gateways/${w.b.gatewayId}`, 'CLOUD_GATEWAY_NOT_FOUND'],
      ['/workers/w-st-b', 'CLOUD_WORKER_NOT_FOUND'],
      ['/stations/st-b', 'CLOUD_STATION_NOT_FOUND'],
      ['/stations/st-b/workers', 'CLOUD_STATION_NOT_FOUND'],
      [`/cases?residentId=${w.b.residentId}`, 'CLOUD_RESIDENT_NOT_FOUND'],
      [`/notifications?caseId=${caseB}`, 'CLOUD_CASE_NOT_FOUND'],
      ['/quality/stations?stationId=st-b', 'CLOUD_STATION_NOT_FOUND'],
    ];
    for (const [path, code] of foreign) {
      const r = await get(path, deskA);
      expect([r.status, r.body.code], path).toEqual([404, code]);
    }
    // The same answer as an id nobody has: existence does not leak.
    const none = await get('/cases/00000000-0000-0000-0000-000000000000', deskA);
    const other = await get(`/cases/${caseB}`, deskA);
    expect(Object.keys(other.body).sort()).toEqual(Object.keys(none.body).sort());
    expect(other.body.message).toBe(`case ${caseB} not found`);

    const own = [
      `/cases/${caseA}`,
      `/residents/${w.a.residentId}`,
      `/residents/${w.a.residentId}/guardians`,
      `/gateways/${w.a.gatewayId}`,
      '/workers/w-st-a',
      '/stations/st-a',
      '/stations/st-a/workers',
      `/notifications?caseId=${caseA}`,
      '/quality/stations',
    ];
    for (const path of own) expect((await get(path, deskA)).status, path).toBe(200);
  });

  it("lists only the station's own cases, stations and figures", async () => {
    const cases = (await get('/cases', w.tokens.deskA)).body.items;
    expect(cases.map((c: any) => c.id)).toContain(caseA);
    expect(cases.every((c: any) => c.residentId === w.a.residentId)).toBe(true);
    const all = (await get('/cases', w.tokens.admin)).body.items.map((c: any) => c.id);
    expect(all).toEqual(expect.arrayContaining([caseA, caseB]));
    expect((await get('/stations', w.tokens.workerA)).body.items.map((s: any) => s.id)).toEqual(['st-a']);
    const quality = (await get('/quality/stations', w.tokens.supervisorA)).body.items;
    expect(quality.every((q: any) => q.stationId === 'st-a')).toBe(true);
    // Texts carry phones: a station user names the case.
    const texts = await get('/notifications', w.tokens.deskA);
    expect([texts.status, texts.body.code]).toEqual([400, 'CLOUD_NOTIFICATIONS_CASE_REQUIRED']);
  });

  it("registers a desk's residents at its own station and refuses another station's", async () => {
    const desk = bearer(w.tokens.deskA);
    const mine = await w.t.api('POST', '/residents', { name: 'New elder' }, desk);
    expect([mine.status, mine.body.stationId]).toEqual([201, 'st-a']);
    const theirs = await w.t.api('POST', '/residents', { name: 'X', stationId: 'st-b' }, desk);
    expect([theirs.status, theirs.body.code]).toEqual([409, 'CLOUD_STATION_NOT_FOUND']);
    const move = await w.t.api('PATCH', `/residents/${mine.body.id}`, { stationId: 'st-b' }, desk);
    expect([move.status, move.body.code]).toEqual([409, 'CLOUD_STATION_NOT_FOUND']);
    const gw = await w.t.api('POST', '/gateways', { id: 'gw-sneaky', residentId: w.b.residentId }, desk);
    expect([gw.status, gw.body.code]).toEqual([404, 'CLOUD_RESIDENT_NOT_FOUND']);
    const guardian = { name: 'X', phone: '+8613800000002', language: 'en' };
    const g = await w.t.api('POST', `/residents/${w.b.residentId}/guardians`, guardian, desk);
    expect(g.status).toBe(404);
    const worker = await w.t.api(
      'POST',
      '/workers',
      { id: 'w-x', stationId: 'st-b', name: 'X', phone: '+8613900000003', home: { lat: 31, lon: 121 } },
      bearer(w.tokens.supervisorA),
    );
    expect([worker.status, worker.body.code]).toEqual([409, 'CLOUD_STATION_NOT_FOUND']);
    expect((await w.t.db.query("SELECT 1 FROM gateways WHERE id = 'gw-sneaky'")).rows).toEqual([]);
    const code = await w.t.api('POST', '/enrolment-codes', { stationId: 'st-b' }, desk);
    expect([code.status, code.body.code]).toEqual([404, 'CLOUD_STATION_NOT_FOUND']);
    const nowhere = await w.t.api(
      'POST',
      '/enrolment-codes',
      { stationId: 'st-nowhere' },
      bearer(w.tokens.admin),
    );
    expect([nowhere.status, nowhere.body.code]).toEqual([404, 'CLOUD_STATION_NOT_FOUND']);
    const ownCode = await w.t.api(
      'POST',
      '/enrolment-codes',
      { stationId: 'st-a', residentId: w.a.residentId },
      desk,
    );
    expect([ownCode.status, ownCode.body.stationId]).toEqual([201, 'st-a']);
  });

  it("does not let a station move another station's case, and leaves it as it was", async () => {
    const before = (await w.t.db.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseB]))
      .rows[0]!.status;
    const r = await w.t.api(
      'POST',
      `/cases/${caseB}/transitions`,
      { to: 'cancelled', actor: { type: 'duty_desk', id: 'desk-a' } },
      bearer(w.tokens.deskA),
    );
    expect([r.status, r.body.code]).toEqual([404, 'CLOUD_CASE_NOT_FOUND']);
    const ack = await w.t.api('POST', `/cases/${caseB}/ack`, { by: 'desk-a' }, bearer(w.tokens.deskA));
    expect(ack.status).toBe(404);
    const after = (await w.t.db.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseB]))
      .rows[0]!.status;
    expect(after).toBe(before);
  });

  it('lets a person move a case only as themselves', async () => {
    const id = await w.openCase(w.a, 'vitals');
    const asOther = await w.t.api(
      'POST',
      `/cases/${id}/transitions`,
      { to: 'acknowledged', actor: { type: 'duty_desk', id: 'desk-a' } },
      bearer(w.tokens.workerA),
    );
    expect([asOther.status, asOther.body.code]).toEqual([403, 'CLOUD_AUTH_ACTOR_MISMATCH']);
    const legacy = await w.t.api('POST', `/cases/${id}/ack`, { by: 'someone' }, bearer(w.tokens.deskA));
    expect([legacy.status, legacy.body.code]).toEqual([403, 'CLOUD_AUTH_ACTOR_MISMATCH']);
    const self = await w.t.api(
      'POST',
      `/cases/${id}/transitions`,
      { to: 'acknowledged', actor: { type: 'worker', id: 'w-st-a' } },
      bearer(w.tokens.workerA),
    );
    expect(self.status, self.text).toBe(200);
    expect(self.body).toMatchObject({
      status: 'acknowledged',
      assigneeId: 'w-st-a',
      acknowledgedBy: 'w-st-a',
    });
    const desk = await w.t.api(
      'POST',
      `/cases/${id}/transitions`,
      { to: 'en_route', actor: { type: 'duty_desk', id: 'desk-a' } },
      bearer(w.tokens.deskA),
    );
    expect([desk.status, desk.body.status]).toEqual([200, 'en_route']);
  });

  it("shows a guardian only their resident's cases, with a guardian's fields, and lets them acknowledge", async () => {
    const sosA = await w.openCase(w.a, 'sos');
    const mine = await get('/guardian/cases', w.tokens.guardianA);
    expect(mine.status).toBe(200);
    const ids = mine.body.items.map((c: any) => c.id);
    expect(ids).toEqual(expect.arrayContaining([caseA, sosA]));
    expect(ids).not.toContain(caseB);
    expect(mine.body.items.every((c: any) => c.residentId === w.a.residentId)).toBe(true);
    expect(Object.keys(mine.body.items[0]).sort()).toEqual(
      [
        'acknowledgedAt',
        'closedAt',
        'id',
        'kind',
        'level',
        'openedAt',
        'residentId',
        'severity',
        'status',
        'updatedAt',
      ].sort(),
    );
    expect(mine.text).not.toMatch(/assignee|evidence|phone|Worker st-a/);

    const other = await get(`/guardian/cases/${caseB}`, w.tokens.guardianA);
    expect([other.status, other.body.code]).toEqual([404, 'CLOUD_CASE_NOT_FOUND']);
    expect((await get(`/guardian/cases/${caseA}`, w.tokens.guardianB)).status).toBe(404);
    expect((await get(`/guardian/cases/${caseA}`, w.tokens.guardianA)).body.id).toBe(caseA);

    for (const path of ['/cases', `/cases/${caseA}`, `/residents/${w.a.residentId}`, '/audit']) {
      const r = await get(path, w.tokens.guardianA);
      expect([r.status, r.body.code], path).toEqual([403, 'CLOUD_AUTH_ROLE_FORBIDDEN']);
    }

    const acked = await w.t.api(
      'POST',
      `/guardian/cases/${sosA}/transitions`,
      { to: 'acknowledged' },
      bearer(w.tokens.guardianA),
    );
    expect([acked.status, acked.body.status]).toEqual([200, 'acknowledged']);
    const nope = await w.t.api(
      'POST',
      `/guardian/cases/${caseB}/transitions`,
      { to: 'cancelled' },
      bearer(w.tokens.guardianA),
    );
    expect(nope.status).toBe(404);
    const timeline = (await get(`/cases/${sosA}`, w.tokens.admin)).body.timeline;
    expect(timeline.at(-1)).toMatchObject({
      type: 'acknowledged',
      detail: { actor: { type: 'guardian', id: 'Daughter st-a' } },
    });
  });

  it('answers a role the route is not for with 403 and a stable code', async () => {
    const cases: [string, string, string, unknown?][] = [
      ['workerA', 'POST', '/residents', { name: 'X' }],
      ['deskA', 'POST', '/stations', { id: 'st-z', name: 'Z' }],
      ['deskA', 'GET', '/audit'],
      ['workerA', 'GET', `/gateways/${w.a.gatewayId}`],
      ['supervisorA', 'GET', '/guardian/cases'],
    ];
    for (const [who, method, path, body] of cases) {
      const r = await w.t.api(method, path, body, bearer(w.tokens[who as keyof World['tokens']]));
      expect([r.status, r.body.code], `${who} ${method} ${path}`).toEqual([403, 'CLOUD_AUTH_ROLE_FORBIDDEN']);
    }
    expect((await w.t.db.query("SELECT 1 FROM stations WHERE id = 'st-z'")).rows).toEqual([]);
  });

  it('documents every route with its roles, the bearer scheme and the 401/403 answers', async () => {
    const doc = (await w.t.api('GET', '/docs/json', undefined, { authorization: '' })).body;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.paths['/cases/{id}'].get.description).toMatch(
      /\*\*Roles:\*\* admin, desk, worker, supervisor\./,
    );
    expect(doc.paths['/cases/{id}'].get.responses).toHaveProperty('403');
    expect(doc.paths['/audit'].get.description).toMatch(/Roles:\*\* admin, supervisor/);
    expect(doc.paths['/guardian/cases'].get.description).toMatch(/Roles:\*\* guardian/);
    expect(doc.paths['/health'].get.security).toEqual([]);
  });
});
