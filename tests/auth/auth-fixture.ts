/**
 * A cloud with JWT roles switched on and two stations' worth of people and cases, for the roles and
 * audit suites: station A (resident ra, guardian ga, worker w-a on duty all week) and station B (rb, gb,
 * w-b). Cases are opened the real way: an alert event published by the resident's gateway over MQTT.
 */
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, signJwt, type TokenSubject } from '../../cloud/src/auth/index.ts';
import { topics } from '../../contracts/src/index.ts';
import {
  alertEvent,
  type Backend,
  startTestCloud,
  type TestCloud,
  type TestCloudOptions,
  waitFor,
} from '../cloud/cloud-fixture.ts';

export const JWT_SECRET = 'roles-test-secret-0123456789abcdef-0123456789';
export const SERVICE_TOKEN = 'service-token-0123456789abcdef';
export const JWT = { secret: JWT_SECRET, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE };

/** A token signed with the cloud's key, valid for an hour from `nowMs`. */
export const tokenFor = (s: TokenSubject, ttlS = 3600, nowMs = Date.now()) => signJwt(s, JWT, ttlS, nowMs);
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Home {
  residentId: string;
  gatewayId: string;
  secret: string;
  guardianId: string;
  stationId: string;
}

export interface World {
  t: TestCloud;
  a: Home;
  b: Home;
  tokens: {
    deskA: string;
    deskB: string;
    workerA: string;
    supervisorA: string;
    guardianA: string;
    guardianB: string;
    admin: string;
  };
  /** Publishes an alert of `kind` from the home's gateway and returns the case it opened, once level 1 ran. */
  openCase(home: Home, kind: 'fall' | 'sos' | 'inactivity' | 'vitals' | 'device_health'): Promise<string>;
}

async function ok(t: TestCloud, method: string, path: string, body: unknown): Promise<any> {
  const r = await t.api(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

export async function startWorld(backend: Backend, opts: TestCloudOptions = {}): Promise<World> {
  const t = await startTestCloud(backend, {
    apiToken: SERVICE_TOKEN,
    ...opts,
    config: { auth: { jwtSecret: JWT_SECRET }, ...opts.config },
  });
  const allWeek = [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' }];
  const home = async (station: string, lat: number): Promise<Home> => {
    await ok(t, 'POST', '/stations', { id: station, name: `Station ${station}` });
    await ok(t, 'POST', '/workers', {
      id: `w-${station}`,
      stationId: station,
      name: `Worker ${station}`,
      phone: '+8613900000001',
      home: { lat, lon: 121.45 },
      shifts: allWeek,
    });
    const r = await ok(t, 'POST', '/residents', {
      name: `Elder ${station}`,
      stationId: station,
      lat,
      lon: 121.45,
    });
    const g = await ok(t, 'POST', `/residents/${r.id}/guardians`, {
      name: `Daughter ${station}`,
      phone: '+8613800000001',
      language: 'zh-CN',
    });
    const gatewayId = `gw-${station}`;
    const gw = await ok(t, 'POST', '/gateways', { id: gatewayId, residentId: r.id });
    return { residentId: r.id, gatewayId, secret: gw.secret, guardianId: g.id, stationId: station };
  };
  const a = await home('st-a', 31.22);
  const b = await home('st-b', 31.23);

  const openCase: World['openCase'] = async (h, kind) => {
    const c = await t.connectGateway(h.gatewayId, h.secret);
    await c.publishAsync(topics.events(h.gatewayId), JSON.stringify(alertEvent(h, { kind })), { qos: 1 });
    await c.endAsync();
    const r = await waitFor(async () => {
      const rows = await t.db.query<{ id: string }>(
        // Level 1 (dispatch or the guardians) follows the commit; `level` is set once it has run, so
        // the case does not change under the test afterwards.
        `SELECT id FROM cases WHERE resident_id = $1 AND kind = $2 AND level IS NOT NULL
         AND status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm')`,
        [h.residentId, kind],
      );
      return rows.rows[0];
    });
    return r.id;
  };

  return {
    t,
    a,
    b,
    openCase,
    tokens: {
      deskA: tokenFor({ sub: 'desk-a', role: 'desk', station: 'st-a' }),
      deskB: tokenFor({ sub: 'desk-b', role: 'desk', station: 'st-b' }),
      workerA: tokenFor({ sub: 'w-st-a', role: 'worker', station: 'st-a' }),
      supervisorA: tokenFor({ sub: 'sup-a', role: 'supervisor', station: 'st-a' }),
      guardianA: tokenFor({ sub: 'daughter-a', role: 'guardian', guardian: a.guardianId }),
      guardianB: tokenFor({ sub: 'daughter-b', role: 'guardian', guardian: b.guardianId }),
      admin: tokenFor({ sub: 'root', role: 'admin' }),
    },
  };
}
