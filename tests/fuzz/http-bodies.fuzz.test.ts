/**
 * Hostile HTTP bodies into every cloud API route that takes one (the SMS providers' webhooks have their
 * own signature checks and tests): seeded mutations of a valid body, noise, and wrong content types,
 * through fastify's whole pipeline (token check, rate limit, parsing, schema validation, handler) on an
 * in-process cloud with PGlite. Never a 5xx; every 4xx carries a stable code; the process keeps serving.
 * ANJU_FUZZ_HTTP_N sets the inputs per route (default 200).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, type Home, startTestCloud, type TestCloud, waitFor } from '../cloud/cloud-fixture.ts';
import { hostilePayloads, mulberry32 } from './mutate.ts';

const N = Number(process.env.ANJU_FUZZ_HTTP_N ?? 200);
const TOKEN = 'fuzz-token-0123456789abcdef';
const STABLE_CODE = /^(CLOUD|FST)_[A-Z0-9_]+$/;

let t: TestCloud;
let home: Home;
let caseId: string;
beforeAll(async () => {
  t = await startTestCloud('pglite', {
    apiToken: TOKEN,
    config: { limits: { apiRequestsPerMinute: 1_000_000 } },
  });
  home = await t.enrol();
  expect((await t.api('POST', '/stations', { id: 'st-fuzz', name: '社工站' })).status).toBe(201);
  const worker = {
    id: 'w-fuzz',
    stationId: 'st-fuzz',
    name: '张',
    phone: '+8613900000002',
    home: { lat: 31.2, lon: 121.4 },
  };
  expect((await t.api('POST', '/workers', worker)).status).toBe(201);
  const gw = await t.connectGateway(home.gatewayId, home.secret);
  await gw.publishAsync(topics.events(home.gatewayId), JSON.stringify(alertEvent(home)), { qos: 1 });
  caseId = await waitFor(async () => {
    const r = await t.api('GET', `/cases?residentId=${home.residentId}`);
    return r.body.items?.[0]?.id as string | undefined;
  }, 20_000);
}, 60_000);
afterAll(() => t?.close());

let n = 0;
const unique = () => `fz${++n}`;
const routes: {
  method: 'POST' | 'PATCH' | 'PUT';
  url: () => string;
  valid: () => Record<string, unknown>;
}[] = [
  {
    method: 'POST',
    url: () => '/residents',
    valid: () => ({ name: '王奶奶', address: '静安区 1 号', lat: 31.2, lon: 121.4 }),
  },
  { method: 'PATCH', url: () => `/residents/${home.residentId}`, valid: () => ({ address: '静安区 2 号' }) },
  {
    method: 'POST',
    url: () => `/residents/${home.residentId}/guardians`,
    valid: () => ({ name: '李明', phone: '+8613900000000', language: 'zh-CN' }),
  },
  {
    method: 'POST',
    url: () => '/gateways',
    valid: () => ({ id: `gw-${unique()}`, residentId: home.residentId }),
  },
  { method: 'POST', url: () => '/stations', valid: () => ({ id: `st-${unique()}`, name: '社工站' }) },
  {
    method: 'POST',
    url: () => '/workers',
    valid: () => ({
      id: `w-${unique()}`,
      stationId: 'st-fuzz',
      name: '张社工',
      phone: '+8613900000001',
      home: { lat: 31.2, lon: 121.4 },
      shifts: [{ weekdays: [1, 2, 3], start: '08:00', end: '20:00' }],
    }),
  },
  {
    method: 'PUT',
    url: () => '/workers/w-fuzz/shifts',
    valid: () => ({ shifts: [{ weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' }] }),
  },
  { method: 'POST', url: () => `/cases/${caseId}/ack`, valid: () => ({ by: '李明' }) },
  {
    method: 'POST',
    url: () => `/cases/${caseId}/transitions`,
    valid: () => ({ to: 'acknowledged', actor: { type: 'duty_desk', id: 'desk' }, note: 'ok' }),
  },
  {
    method: 'POST',
    url: () => `/cases/${caseId}/complaints`,
    valid: () => ({ text: '等了很久', by: '值班员' }),
  },
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
];

describe('fuzzing HTTP bodies into the API', () => {
  it(`${routes.length} routes × ${N} mutated bodies and content types: never a 5xx, a stable code on every 4xx, the process keeps serving`, async () => {
    const rand = mulberry32(7);
    const statuses = new Map<number, number>();
    const codes = new Map<string, number>();
    let sent = 0;
    for (const [i, route] of routes.entries()) {
      for (const body of hostilePayloads(1000 + i, N, route.valid)) {
        const type =
          rand() < 0.8 ? 'application/json' : CONTENT_TYPES[Math.floor(rand() * CONTENT_TYPES.length)]!;
        const res = await t.cloud.http.inject({
          method: route.method,
          url: route.url(),
          headers: { authorization: `Bearer ${TOKEN}`, ...(type ? { 'content-type': type } : {}) },
          payload: body,
        });
        sent++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500)
          throw new Error(
            `${route.method} ${route.url()} (${type}) ${body.toString('utf8').slice(0, 300)} → ${res.statusCode}: ${res.body}; ${t.logs
              .filter((l) => l.includes('request failed'))
              .slice(-1)[0]
              ?.slice(0, 800)}`,
          );
        if (res.statusCode >= 400) {
          const code = (res.json() as { code?: string }).code ?? '(none)';
          if (!STABLE_CODE.test(code))
            throw new Error(
              `${route.method} ${route.url()} → ${res.statusCode} without a stable code: ${res.body}`,
            );
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }
    }
    console.log(
      `fuzz http: sent=${sent} statuses: ${[...statuses].map(([s, c]) => `${s}=${c}`).join(' ')}; codes: ${[
        ...codes,
      ]
        .sort((a, b) => b[1] - a[1])
        .map(([s, c]) => `${s}=${c}`)
        .join(' ')}`,
    );
    expect(sent).toBe(routes.length * N);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(sent / 2);
    expect((await t.api('GET', '/health')).status).toBe(200);
    expect(await t.metric('anju_http_rate_limited_total')).toBe(0);
  }, 300_000);
});
