import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../../cloud/src/app.ts';
import { loadConfig } from '../../cloud/src/config/index.ts';
import { type Db, IN_MEMORY, migrate, openPostgresDb } from '../../cloud/src/db/index.ts';
import {
  createEnrolmentRepository,
  createEnrolmentService,
  EnrolmentError,
  type EnrolmentService,
} from '../../cloud/src/enrolment/index.ts';
import { verifySecret } from '../../cloud/src/gateways/gateway-secret.ts';
import { MetricsRegistry } from '../../cloud/src/metrics/index.ts';
import { createResidentsRepository } from '../../cloud/src/residents/index.ts';
import { createStationsRepository } from '../../cloud/src/stations/index.ts';
import { backends, openTestDb, startTestCloud, type TestCloud, type TestDb } from './cloud-fixture.ts';

const silent = pino({ level: 'silent' });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof EnrolmentError ? err.code : `unexpected: ${String(err)}`),
  );

async function seed(db: Db) {
  const suffix = randomBytes(3).toString('hex');
  const stations = createStationsRepository(db);
  const residents = createResidentsRepository(db);
  await stations.create({ id: `st-${suffix}`, name: 'Jing’an station' });
  await stations.create({ id: `other-${suffix}`, name: 'Another station' });
  const resident = await residents.create({ name: '王秀英', stationId: `st-${suffix}` });
  const stranger = await residents.create({ name: '张三', stationId: `other-${suffix}` });
  return { stationId: `st-${suffix}`, residentId: resident.id, strangerId: stranger.id };
}

function service(db: Db, over: { maxFailuresPerWindow?: number } = {}) {
  const registry = new MetricsRegistry();
  const svc = createEnrolmentService({
    db,
    codes: createEnrolmentRepository(db),
    residents: createResidentsRepository(db),
    stations: createStationsRepository(db),
    config: { maxFailuresPerWindow: over.maxFailuresPerWindow ?? 1000 },
    brokerUrl: () => 'mqtt://127.0.0.1:1884',
    registry,
    log: silent,
  });
  return { svc, registry };
}

describe.each(backends)('enrolment code store (%s)', (backend) => {
  let t: TestDb;
  let svc: EnrolmentService;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    t = await openTestDb(backend);
    await migrate(t.db);
    ({ svc } = service(t.db));
    s = await seed(t.db);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('keeps only a hash of the code, and trades it once for a gateway whose secret verifies', async () => {
    const { code, record } = await svc.createCode({ stationId: s.stationId, residentId: s.residentId });
    const { rows } = await t.db.query<Record<string, unknown>>(
      'SELECT * FROM enrolment_codes WHERE id = $1',
      [record.id],
    );
    expect(JSON.stringify(rows)).not.toContain(code.replaceAll('-', ''));
    expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);

    const r = await svc.enrol({ code: code.toLowerCase(), clientKey: '10.0.0.1', gatewayName: 'gw-store-1' });
    expect(r).toMatchObject({
      gatewayId: 'gw-store-1',
      residentId: s.residentId,
      stationId: s.stationId,
      mqttUrl: 'mqtt://127.0.0.1:1884',
    });
    const gw = await t.db.query<{ secret_hash: string; resident_id: string }>(
      'SELECT secret_hash, resident_id FROM gateways WHERE id = $1',
      ['gw-store-1'],
    );
    expect(await verifySecret(r.secret, gw.rows[0]!.secret_hash)).toBe(true);
    const used = await createEnrolmentRepository(t.db).get(record.id);
    expect(used).toMatchObject({ gatewayId: 'gw-store-1' });
    expect(used?.usedAt).toBeTruthy();

    expect(await refusal(svc.enrol({ code, clientKey: '10.0.0.1' }))).toBe('CLOUD_ENROL_CODE_USED');
    const late = await t.db.query<{ late_attempts: number }>(
      'SELECT late_attempts FROM enrolment_codes WHERE id = $1',
      [record.id],
    );
    expect(Number(late.rows[0]!.late_attempts)).toBe(1);
  });

  it('tells a wrong, a malformed, an expired and a used code apart — and nothing else', async () => {
    expect(await refusal(svc.enrol({ code: '0000-0000-0000', clientKey: 'a' }))).toBe(
      'CLOUD_ENROL_CODE_INVALID',
    );
    expect(await refusal(svc.enrol({ code: 'not a code', clientKey: 'a' }))).toBe('CLOUD_ENROL_CODE_INVALID');
    const { code, record } = await svc.createCode({
      stationId: s.stationId,
      residentId: s.residentId,
      ttlS: 60,
    });
    await t.db.query(
      "UPDATE enrolment_codes SET expires_at = created_at + interval '1 millisecond' WHERE id = $1",
      [record.id],
    );
    expect(await refusal(svc.enrol({ code, clientKey: 'a' }))).toBe('CLOUD_ENROL_CODE_EXPIRED');
    const n = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateways WHERE id LIKE 'gw-%'");
    expect(n.rows[0]!.n).toBe(1); // only the one from the first test
  });

  it('a station-only code needs a resident of that station, and stays unused when refused', async () => {
    const { code } = await svc.createCode({ stationId: s.stationId });
    expect(await refusal(svc.enrol({ code, clientKey: 'b' }))).toBe('CLOUD_ENROL_RESIDENT_REQUIRED');
    expect(await refusal(svc.enrol({ code, clientKey: 'b', residentId: s.strangerId }))).toBe(
      'CLOUD_ENROL_RESIDENT_NOT_IN_STATION',
    );
    expect(
      await refusal(svc.enrol({ code, clientKey: 'b', gatewayName: 'gw-store-1', residentId: s.residentId })),
    ).toBe('CLOUD_GATEWAY_EXISTS');
    const r = await svc.enrol({ code, clientKey: 'b', residentId: s.residentId });
    expect(r.gatewayId).toMatch(/^gw-[0-9a-f]{10}$/);
    expect(r.residentId).toBe(s.residentId);
  });

  it('refuses codes for unknown stations and residents of another station', async () => {
    expect(await refusal(svc.createCode({ stationId: 'no-such-station' }))).toBe('CLOUD_STATION_NOT_FOUND');
    expect(await refusal(svc.createCode({ stationId: s.stationId, residentId: s.strangerId }))).toBe(
      'CLOUD_ENROL_RESIDENT_NOT_IN_STATION',
    );
    const { code } = await svc.createCode({ stationId: s.stationId, residentId: s.residentId });
    expect(await refusal(svc.enrol({ code, clientKey: 'c', residentId: s.strangerId }))).toBe(
      'CLOUD_ENROL_RESIDENT_MISMATCH',
    );
  });

  it('limits failures per client and window; another client and the limited one’s good code are unaffected', async () => {
    const limited = service(t.db, { maxFailuresPerWindow: 3 }).svc;
    const client = `limit-${backend}-${randomBytes(2).toString('hex')}`;
    for (let i = 0; i < 3; i++)
      expect(await refusal(limited.enrol({ code: '0000-0000-000Z', clientKey: client }))).toBe(
        'CLOUD_ENROL_CODE_INVALID',
      );
    const { code } = await limited.createCode({ stationId: s.stationId, residentId: s.residentId });
    expect(await refusal(limited.enrol({ code, clientKey: client }))).toBe('CLOUD_ENROL_RATE_LIMITED');
    expect(await refusal(limited.enrol({ code, clientKey: `${client}-other` }))).toBe('ok');
  });

  it('redeems one code once when many try at the same moment', async () => {
    const { code } = await svc.createCode({ stationId: s.stationId, residentId: s.residentId });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => refusal(svc.enrol({ code, clientKey: 'race' }))),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'CLOUD_ENROL_CODE_USED')).toHaveLength(7);
  });
});

describe.runIf(process.env.DATABASE_URL)('enrolment across two cloud replicas on one PostgreSQL', () => {
  const name = `anju_enrol_${randomBytes(5).toString('hex')}`;
  const admin = process.env.DATABASE_URL!;
  const dbs: Db[] = [];
  const clouds: Awaited<ReturnType<typeof startCloud>>[] = [];
  beforeAll(async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    for (let i = 0; i < 2; i++) {
      const db = openPostgresDb(url.toString(), { max: 4 });
      dbs.push(db);
      const config = loadConfig({
        env: {},
        overrides: {
          http: { host: '127.0.0.1', port: 0 },
          mqtt: { host: '127.0.0.1', port: 0 },
          database: { dataDir: IN_MEMORY },
          logLevel: 'silent',
          enrolment: { maxFailuresPerWindow: 1000 },
        },
      });
      clouds.push(await startCloud(config, { db, logger: silent }));
    }
  });
  afterAll(async () => {
    for (const c of clouds) await c.close();
    for (const d of dbs) await d.close();
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it('one code sent to both replicas at once enrols exactly one gateway', async () => {
    const post = (i: number, path: string, body: unknown) =>
      fetch(`${clouds[i]!.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await post(0, '/stations', { id: 'jingan', name: 'Jing’an' })).status).toBe(201);
    const resident = await post(1, '/residents', { name: '王秀英', stationId: 'jingan' });
    for (let round = 0; round < 5; round++) {
      const made = await post(round % 2, '/enrolment-codes', {
        stationId: 'jingan',
        residentId: resident.body.id,
      });
      expect(made.status).toBe(201);
      const answers = await Promise.all([0, 1, 0, 1].map((i) => post(i, '/enrol', { code: made.body.code })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
      expect(
        answers.filter((a) => a.status === 409).every((a) => a.body.code === 'CLOUD_ENROL_CODE_USED'),
      ).toBe(true);
    }
    const { rows } = await dbs[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM gateways');
    expect(rows[0]!.n).toBe(5);
  });
});

describe.each(backends)('enrolment over HTTP (%s)', (backend) => {
  let c: TestCloud;
  const token = 'desk-token-0123456789';
  beforeAll(async () => {
    c = await startTestCloud(backend, {
      apiToken: token,
      config: { enrolment: { maxFailuresPerWindow: 4, failureWindowS: 3600 } },
    });
    expect((await c.api('POST', '/stations', { id: 'jingan', name: 'Jing’an' })).status).toBe(201);
  });
  afterAll(async () => {
    await c?.close();
  });

  it('the desk makes a code with its token; POST /enrol needs none and returns what the gateway needs', async () => {
    const resident = await c.api('POST', '/residents', { name: '王秀英', stationId: 'jingan' });
    const noToken = await fetch(`${c.cloud.httpUrl}/enrolment-codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stationId: 'jingan' }),
    });
    expect(noToken.status).toBe(401);
    const made = await c.api('POST', '/enrolment-codes', {
      stationId: 'jingan',
      residentId: resident.body.id,
    });
    expect(made.status).toBe(201);
    expect(made.body.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(Date.parse(made.body.expiresAt) - Date.now()).toBeGreaterThan(86_000_000);

    const res = await fetch(`${c.cloud.httpUrl}/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: made.body.code, gatewayName: 'gw-http-1' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({
      gatewayId: 'gw-http-1',
      residentId: resident.body.id,
      stationId: 'jingan',
      mqttUrl: c.cloud.mqttUrl,
    });
    const client = await c.connectGateway(body.gatewayId, body.secret);
    expect(client.connected).toBe(true);
    expect(c.logs.join('\n')).not.toContain(body.secret);
    expect(c.logs.join('\n')).not.toContain(made.body.code);
    expect(await c.metric('anju_enrol_attempts_total', { outcome: 'ok' })).toBe(1);
  });

  it('answers a wrong, a reused and an invalid body with stable codes, then 429 after too many failures', async () => {
    const enrol = (body: unknown) => c.api('POST', '/enrol', body, { authorization: '' });
    const wrong = await enrol({ code: 'AAAA-BBBB-CCCC' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      statusCode: 401,
      code: 'CLOUD_ENROL_CODE_INVALID',
      message: 'this enrolment code is not valid (check it with the duty desk)',
    });
    const bad = await enrol({ code: 'x', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('CLOUD_VALIDATION_FAILED');
    const resident = await c.api('POST', '/residents', { name: 'R', stationId: 'jingan' });
    const made = await c.api('POST', '/enrolment-codes', {
      stationId: 'jingan',
      residentId: resident.body.id,
    });
    expect((await enrol({ code: made.body.code })).status).toBe(201);
    const again = await enrol({ code: made.body.code });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CLOUD_ENROL_CODE_USED');
    // failures so far: wrong, reused (the 400 never reached the code check) → two more reach the limit of 4
    await enrol({ code: 'AAAA-BBBB-CCCD' });
    await enrol({ code: 'AAAA-BBBB-CCCE' });
    const limited = await enrol({ code: 'AAAA-BBBB-CCCF' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('CLOUD_ENROL_RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('3600');
    expect(await c.metric('anju_enrol_attempts_total', { outcome: 'rate_limited' })).toBe(1);
    expect(await c.metric('anju_enrol_attempts_total', { outcome: 'invalid' })).toBe(3);
  });
});
