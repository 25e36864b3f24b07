/**
 * Issue 4, "roles and audit": forged, expired and misaddressed tokens are refused with stable codes, and
 * the append-only audit log holds every read of personal data and every action — on PGlite and PostgreSQL.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../../cloud/src/app.ts';
import { createAuthenticator } from '../../cloud/src/auth/index.ts';
import { ConfigError, loadConfig } from '../../cloud/src/config/index.ts';
import type { Db, Queryable } from '../../cloud/src/db/index.ts';
import { buildHttpServer, healthRoutes } from '../../cloud/src/http/index.ts';
import { createLogger } from '../../cloud/src/log/logger.ts';
import { MetricsRegistry } from '../../cloud/src/metrics/metrics.registry.ts';
import { backends } from '../cloud/cloud-fixture.ts';
import { bearer, JWT, JWT_SECRET, SERVICE_TOKEN, startWorld, type World } from './auth-fixture.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const hs256 = (secret: string, input: string) =>
  createHmac('sha256', secret).update(input).digest('base64url');

/** A hand-made token: any header, any claims, signed with any key (or not at all). */
function craft(header: object, claims: object, secret: string | null = JWT_SECRET): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${secret === null ? '' : hs256(secret, input)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const deskClaims = (over: object = {}) => ({
  iss: JWT.issuer,
  aud: JWT.audience,
  sub: 'desk-a',
  role: 'desk',
  station: 'st-a',
  iat: now(),
  exp: now() + 600,
  ...over,
});

/** Lets a test make every INSERT into audit_log fail, in and out of transactions. */
function auditBreaker() {
  const state = { broken: false };
  const guard = (sql: string) => {
    if (state.broken && /INSERT INTO audit_log/.test(sql)) throw new Error('audit storage unavailable');
  };
  const wrapQ = (q: Queryable): Queryable => ({
    query: async (sql, params) => {
      guard(sql);
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  const wrap = (db: Db): Db => ({
    kind: db.kind,
    ...wrapQ(db),
    transaction: (fn) => db.transaction((tx) => fn(wrapQ(tx))),
    close: () => db.close(),
  });
  return { state, wrap };
}

describe.each(backends)('tokens and the audit log (%s)', (backend) => {
  let w: World;
  const breaker = auditBreaker();
  beforeAll(async () => {
    w = await startWorld(backend, { wrapDb: breaker.wrap });
  });
  afterAll(async () => {
    await w?.t.close();
  });

  const residentPath = () => `/residents/${w.a.residentId}`;

  describe('tokens', () => {
    it.each([
      ['no header', '', 'CLOUD_AUTH_MISSING_TOKEN'],
      ['a token that is no JWT', 'Bearer not-a-token', 'CLOUD_AUTH_INVALID_TOKEN'],
      [
        'a forged signature',
        `Bearer ${craft({ alg: 'HS256', typ: 'JWT' }, deskClaims(), 'another-secret-0123456789abcdef-xyz')}`,
        'CLOUD_AUTH_INVALID_TOKEN',
      ],
      [
        'alg none, unsigned',
        `Bearer ${craft({ alg: 'none', typ: 'JWT' }, deskClaims(), null)}`,
        'CLOUD_AUTH_INVALID_TOKEN',
      ],
      [
        'alg none with a signature',
        `Bearer ${craft({ alg: 'none' }, deskClaims())}`,
        'CLOUD_AUTH_INVALID_TOKEN',
      ],
      ['alg HS512', `Bearer ${craft({ alg: 'HS512' }, deskClaims())}`, 'CLOUD_AUTH_INVALID_TOKEN'],
      ['a changed payload', 'payload', 'CLOUD_AUTH_INVALID_TOKEN'],
      ['a signature with other unused bits', 'padding', 'CLOUD_AUTH_INVALID_TOKEN'],
      [
        'an expired token',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ iat: now() - 7200, exp: now() - 3600 }))}`,
        'CLOUD_AUTH_TOKEN_EXPIRED',
      ],
      [
        'a token valid only later',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ nbf: now() + 3600, exp: now() + 7200 }))}`,
        'CLOUD_AUTH_TOKEN_NOT_YET_VALID',
      ],
      [
        'the wrong audience',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ aud: 'some-other-api' }))}`,
        'CLOUD_AUTH_TOKEN_WRONG_AUDIENCE',
      ],
      [
        'the wrong issuer',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ iss: 'someone-else' }))}`,
        'CLOUD_AUTH_TOKEN_WRONG_ISSUER',
      ],
      [
        'no expiry',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ exp: undefined }))}`,
        'CLOUD_AUTH_TOKEN_CLAIMS',
      ],
      [
        'a lifetime beyond maxTtlS',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ exp: now() + 400 * 86_400 }))}`,
        'CLOUD_AUTH_TOKEN_CLAIMS',
      ],
      [
        'an unknown role',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ role: 'root' }))}`,
        'CLOUD_AUTH_TOKEN_CLAIMS',
      ],
      [
        'a desk without a station',
        `Bearer ${craft({ alg: 'HS256' }, deskClaims({ station: undefined }))}`,
        'CLOUD_AUTH_TOKEN_CLAIMS',
      ],
    ])('refuses %s with 401', async (_what, header, code) => {
      let authorization = header;
      if (header === 'padding') {
        // The last base64url character of a 32-byte signature carries 2 unused bits: flip one. The bytes
        // decode the same, but it is not the token that was signed.
        const [h, p, sig] = w.tokens.deskA.split('.') as [string, string, string];
        const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = abc.indexOf(sig.at(-1)!);
        authorization = `Bearer ${h}.${p}.${sig.slice(0, -1)}${abc[last ^ 1]}`;
        expect(Buffer.from(authorization.split('.')[2]!, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
      }
      if (header === 'payload') {
        // A valid desk token whose payload is swapped for an admin's: the signature no longer matches.
        const [h, , s] = w.tokens.deskA.split('.');
        authorization = `Bearer ${h}.${b64(deskClaims({ role: 'admin', station: undefined }))}.${s}`;
      }
      const before = await w.t.metric('anju_api_auth_failures_total', { code });
      const r = await w.t.api('GET', residentPath(), undefined, { authorization });
      expect([r.status, r.body.code]).toEqual([401, code]);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="anju"/);
      expect(r.text).not.toContain('Elder');
      expect(await w.t.metric('anju_api_auth_failures_total', { code })).toBe(before + 1);
    });

    it('accepts a token within the clock leeway, and the service token as an admin', async () => {
      const justExpired = craft(
        { alg: 'HS256', typ: 'JWT' },
        deskClaims({ iat: now() - 610, exp: now() - 10 }),
      );
      expect((await w.t.api('GET', residentPath(), undefined, bearer(justExpired))).status).toBe(200);
      expect((await w.t.api('GET', '/audit?limit=1', undefined, bearer(SERVICE_TOKEN))).status).toBe(200);
    });
  });

  describe('audit log', () => {
    const reads = async (residentId: string) =>
      (
        await w.t.db.query<{ actor: string; outcome: string; status: number; credential: string }>(
          `SELECT actor, outcome, status, credential FROM audit_log
           WHERE resident_id = $1 AND action = 'read' AND target_type = 'resident' ORDER BY id`,
          [residentId],
        )
      ).rows;

    it("holds every read of a resident's record, refused ones included", async () => {
      const before = (await reads(w.a.residentId)).length;
      for (let i = 0; i < 3; i++) {
        expect((await w.t.api('GET', residentPath(), undefined, bearer(w.tokens.deskA))).status).toBe(200);
      }
      expect((await w.t.api('GET', residentPath(), undefined, bearer(w.tokens.workerA))).status).toBe(200);
      expect((await w.t.api('GET', residentPath())).status).toBe(200); // the service token
      expect((await w.t.api('GET', residentPath(), undefined, bearer(w.tokens.deskB))).status).toBe(404);
      const rows = (await reads(w.a.residentId)).slice(before);
      expect(rows).toEqual([
        { actor: 'desk-a', outcome: 'ok', status: 200, credential: 'jwt' },
        { actor: 'desk-a', outcome: 'ok', status: 200, credential: 'jwt' },
        { actor: 'desk-a', outcome: 'ok', status: 200, credential: 'jwt' },
        { actor: 'w-st-a', outcome: 'ok', status: 200, credential: 'jwt' },
        { actor: 'service-token', outcome: 'ok', status: 200, credential: 'api-token' },
        { actor: 'desk-b', outcome: 'not_found', status: 404, credential: 'jwt' },
      ]);
    });

    it("records reads of case details, guardian lists and workers' phones with the resident and request id", async () => {
      const caseId = await w.openCase(w.a, 'inactivity');
      const reqId = 'req-audit-1';
      const headers = { ...bearer(w.tokens.deskA), 'x-request-id': reqId };
      const r = await w.t.api('GET', `/cases/${caseId}`, undefined, headers);
      expect(r.headers.get('x-request-id')).toBe(reqId);
      await w.t.api('GET', `/residents/${w.a.residentId}/guardians`, undefined, bearer(w.tokens.deskA));
      await w.t.api('GET', '/workers/w-st-a', undefined, bearer(w.tokens.deskA));
      const { rows } = await w.t.db.query<Record<string, unknown>>(
        `SELECT action, target_type, target_id, resident_id, actor_station_id, target_station_id, request_id, route
         FROM audit_log WHERE actor = 'desk-a' ORDER BY id DESC LIMIT 3`,
      );
      expect(rows.reverse()).toEqual([
        {
          action: 'read',
          target_type: 'case',
          target_id: caseId,
          resident_id: w.a.residentId,
          actor_station_id: 'st-a',
          target_station_id: 'st-a',
          request_id: reqId,
          route: '/cases/:id',
        },
        expect.objectContaining({ action: 'list', target_type: 'guardian', resident_id: w.a.residentId }),
        expect.objectContaining({
          action: 'read',
          target_type: 'worker',
          target_id: 'w-st-a',
          resident_id: null,
        }),
      ]);
    });

    it('writes an action and its entry in one transaction: both or neither', async () => {
      const caseId = await w.openCase(w.a, 'device_health');
      const move = (to: string) =>
        w.t.api(
          'POST',
          `/cases/${caseId}/transitions`,
          { to, actor: { type: 'duty_desk', id: 'desk-a' } },
          bearer(w.tokens.deskA),
        );
      const entries = async () =>
        (
          await w.t.db.query<{ outcome: string; status: number; detail: Record<string, unknown> }>(
            `SELECT outcome, status, detail FROM audit_log WHERE target_id = $1 AND action = 'transition' ORDER BY id`,
            [caseId],
          )
        ).rows;
      const status = async () =>
        (await w.t.db.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0]!
          .status;
      const start = await status();

      breaker.state.broken = true;
      try {
        const failed = await move('acknowledged');
        expect([failed.status, failed.body.code]).toEqual([500, 'CLOUD_INTERNAL']);
      } finally {
        breaker.state.broken = false;
      }
      expect(await status()).toBe(start); // the change rolled back with its entry
      expect(await entries()).toEqual([]);

      expect((await move('acknowledged')).status).toBe(200);
      expect((await move('closed')).status).toBe(409); // acknowledged → closed is not an edge
      expect(await status()).toBe('acknowledged');
      expect(await entries()).toEqual([
        { outcome: 'ok', status: 200, detail: { to: 'acknowledged' } },
        { outcome: 'rejected', status: 409, detail: { to: 'closed' } },
      ]);
    });

    it('serves no personal data whose read cannot be recorded', async () => {
      breaker.state.broken = true;
      try {
        const r = await w.t.api('GET', residentPath(), undefined, bearer(w.tokens.deskA));
        expect([r.status, r.body.code]).toEqual([500, 'CLOUD_INTERNAL']);
        expect(r.text).not.toContain('Elder st-a');
      } finally {
        breaker.state.broken = false;
      }
    });

    it('lets a supervisor read what concerns their station, admins everything, and audits those reads', async () => {
      // desk B probes station A's resident: that concerns station A.
      await w.t.api('GET', residentPath(), undefined, bearer(w.tokens.deskB));
      await w.t.api('GET', `/residents/${w.b.residentId}`, undefined, bearer(w.tokens.deskB));
      const sup = await w.t.api('GET', '/audit?limit=1000', undefined, bearer(w.tokens.supervisorA));
      expect(sup.status).toBe(200);
      const items = sup.body.items as any[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((e) => e.actorStationId === 'st-a' || e.targetStationId === 'st-a')).toBe(true);
      // Issue 18: desk B's probe shows, without naming desk B or their station.
      expect(
        items.some(
          (e) => e.actor === '(another station)' && e.actorStationId === null && e.outcome === 'not_found',
        ),
      ).toBe(true);
      expect(items.some((e) => e.actor === 'desk-b' || e.actorStationId === 'st-b')).toBe(false);
      expect(items.some((e) => e.residentId === w.b.residentId)).toBe(false);
      const ids = items.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((x, y) => y - x)); // newest first

      const forResident = await w.t.api(
        'GET',
        `/audit?residentId=${w.b.residentId}`,
        undefined,
        bearer(w.tokens.supervisorA),
      );
      expect([forResident.status, forResident.body.code]).toEqual([404, 'CLOUD_RESIDENT_NOT_FOUND']);
      const all = await w.t.api(
        'GET',
        `/audit?residentId=${w.b.residentId}`,
        undefined,
        bearer(w.tokens.admin),
      );
      expect(all.body.items.length).toBeGreaterThan(0);
      const page = await w.t.api(
        'GET',
        `/audit?limit=2&before=${all.body.items[0].id}`,
        undefined,
        bearer(w.tokens.admin),
      );
      expect(page.body.items.every((e: any) => Number(e.id) < Number(all.body.items[0].id))).toBe(true);

      const own = await w.t.db.query(
        "SELECT actor FROM audit_log WHERE target_type = 'audit_log' AND action = 'list' AND actor IN ('sup-a', 'root')",
      );
      expect(own.rows.length).toBeGreaterThanOrEqual(4);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of audit rows at the database', async () => {
      const count = async () =>
        Number((await w.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0]!.n);
      const n = await count();
      expect(n).toBeGreaterThan(0);
      for (const sql of [
        "UPDATE audit_log SET actor = 'nobody'",
        'DELETE FROM audit_log',
        'DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)',
        'TRUNCATE audit_log',
      ]) {
        await expect(w.t.db.query(sql), sql).rejects.toMatchObject({ code: '42501' });
      }
      // Inside a transaction too: the statement fails and takes the transaction with it.
      await expect(
        w.t.db.transaction(async (tx) => {
          await tx.query("UPDATE audit_log SET outcome = 'ok' WHERE outcome = 'not_found'");
        }),
      ).rejects.toThrow(/append-only/);
      expect(await count()).toBe(n);
      expect((await w.t.db.query("SELECT 1 FROM audit_log WHERE actor = 'nobody'")).rows).toEqual([]);
    });
  });
});

describe('start-up checks', () => {
  it('refuses a JWT secret shorter than 256 bits, naming the key and how to make one', async () => {
    const config = loadConfig({
      env: {},
      overrides: { database: { dataDir: 'memory://' }, auth: { jwtSecret: 'too-short' } },
    });
    const err = await startCloud(config, { logger: createLogger('silent') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/auth\.jwtSecret .*9 bytes is too short.*openssl rand/);
  });

  it('refuses to start a server with a route that has no line in the permission table', async () => {
    const db = { kind: 'pglite' } as unknown as Db;
    const build = buildHttpServer({
      log: createLogger('silent'),
      version: 'test',
      access: { db, authenticator: createAuthenticator({}), permissions: { 'GET /docs*': { open: true } } },
      routes: [healthRoutes({ db, broker: () => undefined, registry: new MetricsRegistry() })],
    });
    await expect(build).rejects.toThrow(/route GET \/health has no line in the permission table/);
  });
});
