/**
 * Issue 18, the security suite: what a hostile prober tries against `anju-cloud serve` on its embedded
 * defaults (PGlite, the embedded aedes broker), over real HTTP and MQTT sockets, by class:
 *  - mqtt-takeover: a gateway logged in with its own secret asks for another gateway's client id (and the
 *    forwarder's `gw-<id>` form of it) again and again; the victim's link must never drop;
 *  - mqtt-fields: hostile user names and client ids on CONNECT: refused or bound, never a crash;
 *  - text-boundary: the issue's cases (NUL in a path id, a query filter, a Basic user name): 400
 *    CLOUD_BAD_TEXT, audited;
 *  - existence: every scoped id of the permission table, as every station role of station A: another
 *    station's id answers exactly as an id that names nothing (status, code, message), and so does its
 *    audit row as the station's supervisor reads it; the documented exception (global ids taken
 *    elsewhere, docs/security.md) is checked for what it may and may not say;
 *  - openapi-sweep: every route of the OpenAPI document, every path and query parameter, hostile values
 *    (NUL, lone-surrogate bytes, very long, unicode, traversal, SQL), as admin, a station's desk,
 *    supervisor and worker (the desk with ANJU_SECURITY_DESK=1), a guardian and no one: never a 5xx, always a code the route documents, never
 *    a 2xx for text the database cannot store, and every refused request of a known caller audited;
 *  - audit-leaks: station A's supervisor's whole view of the audit log names nothing of station B.
 * The last test prints one line per class and `security-suite attempts=N wrong=0 http_5xx=0 takeovers=0
 * leaks=0`, and fails on any wrong outcome.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, type ScopeType } from '../../cloud/src/auth/permissions.ts';
import { ERROR_CODES } from '../../cloud/src/errors.ts';
import { topics } from '../../contracts/src/index.ts';
import { startWorld, type World } from '../auth/auth-fixture.ts';
import { type ApiResponse, alertEvent, waitFor } from '../cloud/cloud-fixture.ts';
import { HOSTILE } from './hostile-values.ts';
import { Tally } from './tally.ts';

const tally = new Tally();
let w: World;
let caseA: string;
let caseB: string;
/** Station B's ids, which nothing station A's people read may name (except an id they typed themselves). */
let secretsB: string[];

beforeAll(async () => {
  w = await startWorld('pglite', { config: { limits: { apiRequestsPerMinute: 1_000_000 } } });
  caseA = await w.openCase(w.a, 'fall');
  caseB = await w.openCase(w.b, 'fall');
  secretsB = [w.b.residentId, w.b.gatewayId, w.b.guardianId, caseB, 'w-st-b', 'st-b'];
}, 120_000);
afterAll(async () => {
  await w?.t.close();
});

let seq = 0;
const nextRequestId = (tag: string) => `sec-${tag}-${++seq}`;
const STABLE_CODE = /^CLOUD_[A-Z0-9_]+$/;

async function call(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  requestId = nextRequestId('x'),
): Promise<ApiResponse & { requestId: string }> {
  const headers: Record<string, string> = { 'x-request-id': requestId, authorization: '' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await w.t.api(method, path, body, headers);
  return { ...r, requestId };
}

/** Runs `jobs` with a few in flight at once (PGlite serialises queries; the HTTP side overlaps). */
async function inBatches<T>(jobs: (() => Promise<T>)[], width = 10): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += width)
    out.push(...(await Promise.all(jobs.slice(i, i + width).map((j) => j()))));
  return out;
}

describe('mqtt-takeover: the embedded broker binds a client id to the gateway that logged in', () => {
  const links: MqttClient[] = [];
  afterAll(async () => {
    await Promise.allSettled(links.map((l) => l.endAsync(true)));
  });
  /** A SUBACK on `link` (its own command topic), or the link's close: settles either way, within 10 s. */
  const roundTrip = (link: MqttClient) =>
    Promise.race([
      link.subscribeAsync(topics.command(link.options.username!), { qos: 1 }).catch(() => undefined),
      new Promise<void>((resolve) => link.once('close', () => resolve())),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
  const connect = async (gatewayId: string, secret: string, clientId: string) => {
    const c = await mqtt.connectAsync(w.t.cloud.mqttUrl, {
      username: gatewayId,
      password: secret,
      clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    links.push(c);
    return c;
  };

  it("a gateway asking for another gateway's client id, 15 times, never knocks it off", async () => {
    const victim = w.b;
    const intruder = w.a;
    // The victim as the edge forwarder names its link (gw-<id>) and by its bare id.
    const ids = [`gw-${victim.gatewayId}`, victim.gatewayId];
    const victimLinks = await Promise.all(ids.map((id) => connect(victim.gatewayId, victim.secret, id)));
    const drops = { n: 0 };
    for (const l of victimLinks) l.on('close', () => drops.n++);
    for (let i = 0; i < 15; i++) {
      const before = drops.n;
      const thief = await connect(intruder.gatewayId, intruder.secret, ids[i % ids.length]!);
      // A takeover closes the old link while the broker handles the thief's CONNECT, before its CONNACK;
      // a SUBACK on each victim link after that shows the link lived through it (or the close has landed).
      await Promise.all(victimLinks.map(roundTrip));
      const dropped = drops.n - before;
      tally.record(
        'mqtt-takeover',
        dropped > 0 ? `attempt ${i}: the victim's link dropped ${dropped} time(s)` : undefined,
        'takeovers',
      );
      await thief.endAsync(true);
    }
    // The victim's link still carries its alarms: an event gets its PUBACK and is stored.
    const ev = alertEvent(victim, { kind: 'sos', severity: 'critical' });
    // A link that was knocked off never answers: give the PUBACK 10 s.
    const puback = Promise.race([
      victimLinks[0]!.publishAsync(topics.events(victim.gatewayId), JSON.stringify(ev), { qos: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no PUBACK')), 10_000)),
    ]);
    const stored = await puback
      .then(() =>
        waitFor(async () => {
          const { rows } = await w.t.db.query('SELECT 1 FROM events WHERE id = $1', [ev.id]);
          return rows.length === 1;
        }, 10_000),
      )
      .then(
        () => true,
        () => false,
      );
    tally.record(
      'mqtt-takeover',
      stored ? undefined : "the victim's event after the attempts was not stored",
    );
    console.log(
      `mqtt-takeover: victim links dropped ${drops.n} times in 15 attempts; victim's event stored=${stored}`,
    );
    expect(drops.n).toBe(0);
    expect(stored).toBe(true);
    // Proof the drop counter sees a takeover: the victim's own reconnect replaces its first link.
    await connect(victim.gatewayId, victim.secret, ids[0]!);
    await waitFor(async () => drops.n === 1, 10_000, "the victim's own takeover dropping its older link");
  }, 60_000);

  it('a gateway reconnecting with its own client id still replaces its own older session (MQTT-3.1.4-2)', async () => {
    const own = `gw-${w.a.gatewayId}`;
    const first = await connect(w.a.gatewayId, w.a.secret, own);
    const closed = new Promise<boolean>((resolve) => {
      first.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 3_000);
    });
    await connect(w.a.gatewayId, w.a.secret, own);
    expect(await closed).toBe(true);
  });
});

describe('mqtt-fields: hostile CONNECT fields', () => {
  const connectOutcome = (username: string, clientId: string, password: string) =>
    new Promise<string>((resolve) => {
      const c = mqtt.connect(w.t.cloud.mqttUrl, {
        username,
        password,
        clientId,
        reconnectPeriod: 0,
        connectTimeout: 4_000,
      });
      const done = (outcome: string) => {
        c.end(true);
        resolve(outcome);
      };
      c.once('connect', () => done('accepted'));
      c.once('error', (err) => done(`refused: ${err.message}`));
      c.once('close', () => done('closed'));
    });

  it('hostile user names are refused and hostile client ids stay inside the namespace of the gateway that logged in', async () => {
    const values = [
      '\u0000',
      `${w.a.gatewayId}\u0000`,
      'x'.repeat(5_000),
      '安居👵',
      "' OR '1'='1",
      '../..',
      '+',
      '#',
    ];
    for (const username of values) {
      const outcome = await connectOutcome(username, `c-${username.length}`, w.a.secret);
      tally.record(
        'mqtt-fields',
        outcome === 'accepted' ? `user name ${JSON.stringify(username.slice(0, 20))} accepted` : undefined,
      );
    }
    for (const clientId of values) {
      const outcome = await connectOutcome(w.a.gatewayId, clientId, w.a.secret);
      // Either is right (the broker may refuse an id MQTT forbids); what matters is the broker keeps serving.
      tally.record('mqtt-fields', /accepted|refused|closed/.test(outcome) ? undefined : outcome);
    }
    // The broker still serves a good gateway after all of it.
    const c = await mqtt.connectAsync(w.t.cloud.mqttUrl, {
      username: w.b.gatewayId,
      password: w.b.secret,
      reconnectPeriod: 0,
    });
    const ev = alertEvent(w.b, { kind: 'sos', severity: 'critical' });
    await c.publishAsync(topics.events(w.b.gatewayId), JSON.stringify(ev), { qos: 1 });
    await c.endAsync();
    tally.record('mqtt-fields', undefined);
    expect(tally.wrong('mqtt-fields')).toEqual([]);
  }, 60_000);
});

describe("text-boundary: the issue's cases", () => {
  const auditRow = async (requestId: string) => {
    const r = await call('GET', '/audit?limit=1000', w.tokens.admin);
    return (r.body.items as { requestId: string; status: number; outcome: string }[]).find(
      (e) => e.requestId === requestId,
    );
  };

  it('a NUL in a path id, a query filter or a Basic user name answers 400 CLOUD_BAD_TEXT, and the request is audited', async () => {
    const probes: [string, string | undefined, Record<string, string>?][] = [
      ['/residents/%00', w.tokens.deskA],
      ['/cases?residentId=%00', w.tokens.deskA],
      [`/cases/${caseA}%00`, w.tokens.supervisorA],
      ['/audit?actor=a%00b', w.tokens.supervisorA],
      ['/workers/w%00', w.tokens.admin],
    ];
    for (const [path, token] of probes) {
      const r = await call('GET', path, token);
      const row = await auditRow(r.requestId);
      const problem =
        r.status !== 400 || r.body.code !== 'CLOUD_BAD_TEXT'
          ? `${path}: ${r.status} ${r.body.code}`
          : row?.status !== 400 || row.outcome !== 'rejected'
            ? `${path}: no audit row of the refusal`
            : undefined;
      tally.record('text-boundary', problem, r.status >= 500 ? 'http_5xx' : undefined);
    }
    const basic = (user: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:secret`).toString('base64')}`,
    });
    for (const user of ['gw\u0000x', '\u0000', w.a.gatewayId]) {
      const r = await w.t.api('GET', '/gateway-models/fall-cnn/1.0.0', undefined, basic(user));
      const expected = user.includes('\u0000') ? [400, 'CLOUD_BAD_TEXT'] : [401, 'CLOUD_GATEWAY_AUTH_FAILED'];
      tally.record(
        'text-boundary',
        r.status === expected[0] && r.body.code === expected[1]
          ? undefined
          : `Basic ${JSON.stringify(user)}: ${r.status} ${r.body.code}`,
        r.status >= 500 ? 'http_5xx' : undefined,
      );
    }
    expect(tally.wrong('text-boundary')).toEqual([]);
  });
});

/** Ids of each kind: station B's real one, and one that names nothing. */
const realB = (t: ScopeType) =>
  ({ resident: w.b.residentId, case: caseB, gateway: w.b.gatewayId, worker: 'w-st-b', station: 'st-b' })[t];
const missingId = (t: ScopeType) => `no-such-${t}-${seq}`;

let openapi: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        requestBody?: { content: Record<string, { schema: { examples?: unknown[] } }> };
        responses: Record<
          string,
          { content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }> }
        >;
      }
    >
  >;
};
const operation = (method: string, url: string) =>
  openapi.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];
const exampleBody = (method: string, url: string): Record<string, unknown> | undefined => {
  const content = operation(method, url)?.requestBody?.content;
  const ex = content && Object.values(content)[0]?.schema.examples?.[0];
  return ex ? structuredClone(ex as Record<string, unknown>) : undefined;
};

describe('existence: station isolation answers alike wherever an id could betray it', () => {
  beforeAll(async () => {
    openapi = (await call('GET', '/docs/json', undefined)).body;
  });

  const stationTokens = () =>
    ({
      desk: w.tokens.deskA,
      worker: w.tokens.workerA,
      supervisor: w.tokens.supervisorA,
      guardian: w.tokens.guardianA,
    }) as const;
  /** [requestId of B's id, requestId of a missing id], to compare the audit rows afterwards. */
  const pairs: [string, string, string][] = [];

  it("every scoped id of the permission table: another station's id answers as an id that names nothing", async () => {
    for (const [key, access] of Object.entries(PERMISSIONS)) {
      if (access.open || access.scope.length === 0 || key.includes('*')) continue;
      const [method, url] = key.split(' ') as [string, string];
      for (const [role, token] of Object.entries(stationTokens())) {
        if (!access.roles.includes(role as never)) continue;
        const build = (pick: (t: ScopeType) => string) => {
          let path = url;
          const query = new URLSearchParams();
          const body = method === 'GET' ? undefined : (exampleBody(method, url) ?? {});
          const used: string[] = [];
          for (const ref of access.scope) {
            const id = pick(ref.type);
            used.push(id);
            if (ref.from === 'params') path = path.replace(`:${ref.key}`, encodeURIComponent(id));
            else if (ref.from === 'querystring') query.set(ref.key, id);
            else if (body) body[ref.key] = id;
          }
          // A body id that is not scoped but must be new (POST /gateways' own id).
          if (body && key === 'POST /gateways') body.id = `gw-new-${seq}`;
          const qs = query.toString();
          return { path: qs ? `${path}?${qs}` : path, body, used };
        };
        const other = build(realB);
        const none = build(missingId);
        const a = await call(method, other.path, token, other.body, nextRequestId('exist'));
        const b = await call(method, none.path, token, none.body, nextRequestId('exist'));
        const norm = (r: ApiResponse, ids: string[]) => {
          let m = String(r.body?.message ?? '');
          for (const id of ids) m = m.split(id).join('<id>');
          return `${r.status} ${r.body?.code} ${m}`;
        };
        const sa = norm(a, other.used);
        const sb = norm(b, none.used);
        tally.record(
          'existence',
          sa === sb ? undefined : `${role} ${key}: B's id → ${sa}; missing id → ${sb}`,
          sa === sb ? undefined : 'leaks',
        );
        if (a.status >= 500 || b.status >= 500) tally.record('existence', `${key}: 5xx`, 'http_5xx');
        pairs.push([`${role} ${key}`, a.requestId, b.requestId]);
      }
    }
    expect(tally.wrong('existence')).toEqual([]);
  }, 120_000);

  it("…and station A's supervisor reads the same audit row for both (nothing of B's record in it)", async () => {
    const items = (await call('GET', '/audit?limit=1000', w.tokens.supervisorA)).body.items as Record<
      string,
      unknown
    >[];
    const byRequest = new Map(items.map((e) => [e.requestId as string, e]));
    const norm = (e: Record<string, unknown> | undefined) => {
      if (!e) return 'absent';
      const { id: _id, at: _at, requestId: _r, targetId: _t, ...rest } = e;
      return JSON.stringify(rest);
    };
    for (const [what, other, none] of pairs) {
      const a = norm(byRequest.get(other));
      const b = norm(byRequest.get(none));
      tally.record(
        'existence-audit',
        a === b ? undefined : `${what}: B's id → ${a}; missing id → ${b}`,
        a === b ? undefined : 'leaks',
      );
    }
    expect(tally.wrong('existence-audit')).toEqual([]);
  });

  it('documented exception (docs/security.md): a global id taken by another station answers as one taken by the own station, and names nothing else', async () => {
    const checks: [string, string, Record<string, unknown>, Record<string, unknown>, string][] = [
      [
        'POST',
        '/gateways',
        { id: w.b.gatewayId, residentId: w.a.residentId },
        { id: w.a.gatewayId, residentId: w.a.residentId },
        w.tokens.deskA,
      ],
      [
        'POST',
        '/workers',
        { ...exampleBody('POST', '/workers'), id: 'w-st-b', stationId: 'st-a' },
        { ...exampleBody('POST', '/workers'), id: 'w-st-a', stationId: 'st-a' },
        w.tokens.supervisorA,
      ],
    ];
    for (const [method, path, theirs, mine, token] of checks) {
      const a = await call(method, path, token, theirs);
      const b = await call(method, path, token, mine);
      const norm = (r: ApiResponse, id: unknown) =>
        `${r.status} ${r.body.code} ${String(r.body.message).split(String(id)).join('<id>')}`;
      const same = norm(a, theirs.id) === norm(b, mine.id);
      const named = secretsB.filter((s) => !String(theirs.id).includes(s) && a.text.includes(s));
      tally.record(
        'existence-global-ids',
        same && named.length === 0
          ? undefined
          : `${method} ${path}: ${norm(a, theirs.id)} vs ${norm(b, mine.id)}; names ${named}`,
        named.length ? 'leaks' : undefined,
      );
    }
    expect(tally.wrong('existence-global-ids')).toEqual([]);
  });
});

describe('openapi-sweep: every route, hostile ids and query values, every role', () => {
  /** Requests of a known caller refused by the text boundary: each must have its audit row. */
  const refusedBadText: string[] = [];

  it('never a 5xx, always a documented code, never a 2xx for text the database cannot store', async () => {
    const roles: [string, string | undefined][] = [
      // Every route a desk may call, a supervisor of the same station may too; ANJU_SECURITY_DESK=1 adds it.
      ['admin', w.tokens.admin],
      ...(process.env.ANJU_SECURITY_DESK === '1' ? [['desk', w.tokens.deskA] as [string, string]] : []),
      ['supervisor', w.tokens.supervisorA],
      ['worker', w.tokens.workerA],
      ['guardian', w.tokens.guardianA],
      ['anonymous', undefined],
    ];
    const jobs: (() => Promise<void>)[] = [];
    for (const [url, ops] of Object.entries(openapi.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = op.parameters ?? [];
        const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
        const queryParams = params.filter((p) => p.in === 'query').map((p) => p.name);
        // A fill for every path parameter that is not the one under attack: station A's real ids, so a
        // probe of one parameter gets past the others.
        const fill = (name: string) =>
          name === 'id' ? caseA : name === 'name' ? 'fall-cnn' : name === 'version' ? '1.0.0' : 'model.json';
        const targets: { where: 'path' | 'query'; name: string }[] = [
          ...pathParams.map((name) => ({ where: 'path' as const, name })),
          ...queryParams.map((name) => ({ where: 'query' as const, name })),
        ];
        for (const target of targets) {
          for (const value of HOSTILE) {
            for (const [role, token] of roles) {
              // No token: one value of each kind is enough (the answer is 401 before anything is read).
              if (!token && value !== HOSTILE.find((h) => h.kind === value.kind)) continue;
              let path = url;
              for (const p of pathParams) {
                path = path.replace(
                  `{${p}}`,
                  target.where === 'path' && target.name === p ? value.encoded : fill(p),
                );
              }
              if (target.where === 'query') path += `?${target.name}=${value.encoded}`;
              const body =
                method === 'get' ? undefined : (exampleBody(method, url.replace(/\{(\w+)\}/g, ':$1')) ?? {});
              jobs.push(async () => {
                const r = await call(method.toUpperCase(), path, token, body, nextRequestId('sweep'));
                const code = r.body?.code as string | undefined;
                const content = operation(method, url.replace(/\{(\w+)\}/g, ':$1'))?.responses[
                  String(r.status)
                ]?.content;
                // The route's codes for that status, whatever the media type (bundle files: octet-stream).
                const documented = Object.values(content ?? {}).flatMap(
                  (m) => m.schema?.properties?.code?.enum ?? [],
                );
                // Answered before any route is chosen: no route (a traversal that changed the path), a path
                // that is not text, a parameter longer than the router takes, a URL over the HTTP parser's 16 KiB.
                const routeLevel = [
                  'CLOUD_ROUTE_NOT_FOUND',
                  'CLOUD_BAD_TEXT',
                  'CLOUD_VALIDATION_FAILED',
                  'CLOUD_HEADERS_TOO_LARGE',
                ];
                let problem: string | undefined;
                if (r.status >= 500) problem = `${r.status} ${code}`;
                else if (r.status >= 400 && !(code && STABLE_CODE.test(code) && code in ERROR_CODES))
                  problem = `${r.status} without a stable code: ${r.text.slice(0, 120)}`;
                else if (r.status >= 400 && !documented.includes(code!) && !routeLevel.includes(code!))
                  problem = `${r.status} ${code}, not documented for the route`;
                else if (value.kind === 'nul' && r.status < 400) problem = `${r.status} for a NUL`;
                tally.record(
                  `openapi-sweep/${value.kind}`,
                  problem && `${role} ${method.toUpperCase()} ${path.slice(0, 80)}: ${problem}`,
                  r.status >= 500 ? 'http_5xx' : undefined,
                );
                const matchedRoute =
                  code !== 'CLOUD_ROUTE_NOT_FOUND' && !r.text.includes('is not valid UTF-8');
                if (token && code === 'CLOUD_BAD_TEXT' && matchedRoute && !url.startsWith('/gateway-models'))
                  refusedBadText.push(r.requestId);
              });
            }
          }
        }
      }
    }
    await inBatches(jobs);
    const wrong = [...new Set(Object.keys(HOSTILE).map((i) => HOSTILE[Number(i)]!.kind))].flatMap((k) =>
      tally.wrong(`openapi-sweep/${k}`),
    );
    expect(wrong.slice(0, 20)).toEqual([]);
  }, 600_000);

  it('every refused request of a known caller is in the audit log', async () => {
    const { rows } = await w.t.db.query<{ request_id: string }>(
      'SELECT request_id FROM audit_log WHERE request_id = ANY($1::text[])',
      [refusedBadText],
    );
    const logged = new Set(rows.map((r) => r.request_id));
    for (const id of refusedBadText)
      tally.record('audit-completeness', logged.has(id) ? undefined : `${id}: no audit row`);
    console.log(
      `audit-completeness: ${logged.size} of ${refusedBadText.length} CLOUD_BAD_TEXT refusals audited`,
    );
    expect(refusedBadText.length).toBeGreaterThan(0);
    expect(tally.wrong('audit-completeness')).toEqual([]);
  });
});

describe("audit-leaks: station A's supervisor's view of the whole log", () => {
  it("names nothing of station B, other than ids station A's own people typed", async () => {
    let before: string | undefined;
    let rows = 0;
    for (;;) {
      const q = before ? `&before=${before}` : '';
      const r = await call('GET', `/audit?limit=1000${q}`, w.tokens.supervisorA);
      const items = r.body.items as Record<string, unknown>[];
      if (items.length === 0) break;
      for (const e of items) {
        rows++;
        const { targetId, requestId: _r, ...rest } = e;
        // What the reader's own people typed is theirs; anything else must not name B.
        const shown = JSON.stringify(e.actorStationId === 'st-a' ? rest : { ...rest, targetId });
        const named = secretsB.filter((s) => shown.includes(s));
        tally.record(
          'audit-leaks',
          named.length ? `row ${e.id} (${e.method} ${e.route}) names ${named.join(', ')}` : undefined,
          named.length ? 'leaks' : undefined,
        );
      }
      before = items.at(-1)!.id as string;
    }
    console.log(`audit-leaks: ${rows} rows of station A's supervisor's view read`);
    expect(rows).toBeGreaterThan(100);
    expect(tally.wrong('audit-leaks')).toEqual([]);
  }, 60_000);

  it("a refused request for B's case reads, to A's supervisor, as one for a case that does not exist", async () => {
    const other = await call('GET', `/cases/${caseB}`, w.tokens.supervisorA);
    const none = await call('GET', '/cases/00000000-0000-4000-8000-000000000000', w.tokens.supervisorA);
    expect([other.status, other.body.code]).toEqual([404, 'CLOUD_CASE_NOT_FOUND']);
    const items = (await call('GET', '/audit?limit=50', w.tokens.supervisorA)).body.items as Record<
      string,
      unknown
    >[];
    const row = (id: string) => items.find((e) => e.requestId === id)!;
    expect(row(other.requestId)).toMatchObject({
      residentId: null,
      targetStationId: null,
      outcome: 'not_found',
    });
    const strip = ({ id: _i, at: _a, requestId: _r, targetId: _t, ...rest }: Record<string, unknown>) => rest;
    expect(strip(row(other.requestId))).toEqual(strip(row(none.requestId)));
    // The admin still sees whose record was asked for.
    const all = (await call('GET', '/audit?limit=50', w.tokens.admin)).body.items as Record<
      string,
      unknown
    >[];
    expect(all.find((e) => e.requestId === other.requestId)).toMatchObject({
      residentId: w.b.residentId,
      targetStationId: 'st-b',
    });
    // B's supervisor's side: the probe of their case shows, without naming the prober.
    tally.record('audit-leaks', undefined);
  });
});

describe('summary', () => {
  it('prints every class and ends with the suite line; no wrong outcome', () => {
    console.log(tally.report());
    expect(tally.wrongTotal).toBe(0);
    expect(tally.figures).toEqual({ http_5xx: 0, takeovers: 0, leaks: 0 });
  });
});
