/**
 * The served OpenAPI document is complete: every route has a summary, response schemas and an example;
 * every error response lists its codes from the one list (cloud/src/errors.ts); every code the source
 * uses is in that list; and every route, probed over real HTTP with no token, unknown ids, empty and
 * malformed bodies, answers only codes its entry documents — never a 500.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../cloud/src/errors.ts';
import { HTTP_ERROR_CODES } from '../../cloud/src/http/http.schemas.ts';
import { startTestCloud, type TestCloud } from '../cloud/cloud-fixture.ts';
import { ALIYUN, TWILIO } from '../sms/sms-fixture.ts';

const TOKEN = 'openapi-test-token-0123456789';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

type Json = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Json;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('OpenAPI document (/docs/json)', () => {
  let t: TestCloud;
  let doc: Json;
  let ops: Operation[];
  const schemaOf = (s: Json | undefined): Json | undefined => {
    const ref = s?.$ref as string | undefined;
    return ref ? doc.components.schemas[ref.replace('#/components/schemas/', '')] : s;
  };
  /** An example on the schema, or on what it is a list of or wraps (`{ items: [Case] }`). */
  const exampleIn = (schema: Json | undefined, depth = 0): boolean => {
    const s = schemaOf(schema);
    if (!s || depth > 3) return false;
    if ((s.examples?.length ?? 0) > 0 || s.example !== undefined) return true;
    if (s.items && exampleIn(s.items, depth + 1)) return true;
    return Object.values((s.properties ?? {}) as Json).some((p) => exampleIn(p, depth + 1));
  };
  const hasExample = (content: Json | undefined) =>
    Object.values((content ?? {}) as Record<string, Json>).some(
      (media) =>
        media.example !== undefined ||
        Object.keys(media.examples ?? {}).length > 0 ||
        exampleIn(media.schema),
    );
  const documented = (op: Json, status: number): string[] =>
    Object.values((op.responses?.[status]?.content ?? {}) as Record<string, Json>).flatMap(
      (media) => schemaOf(media.schema)?.properties?.code?.enum ?? [],
    );
  /** A 4xx/5xx whose body is not an error (e.g. /health's 503 is the health report). */
  const isErrorBody = (op: Json, status: number) =>
    Object.values((op.responses?.[status]?.content ?? {}) as Record<string, Json>).some(
      (media) => schemaOf(media.schema)?.properties?.code !== undefined,
    );

  beforeAll(async () => {
    t = await startTestCloud('pglite', {
      apiToken: TOKEN,
      config: {
        notify: {
          guardianChannel: 'twilio-sms',
          providers: {
            // Never called here: only their webhook routes are documented and probed.
            twilio: {
              ...TWILIO,
              baseUrl: 'http://127.0.0.1:9',
              publicWebhookBaseUrl: 'https://anju.example.com',
            },
            aliyun: { ...ALIYUN, endpoint: 'http://127.0.0.1:9' },
          },
        },
      },
    });
    const r = await t.api('GET', '/docs/json');
    expect(r.status).toBe(200);
    doc = r.body;
    ops = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as Json })),
    );
  });
  afterAll(() => t?.close());

  it('documents the routes the service serves', () => {
    const paths = ops.map((o) => `${o.method.toUpperCase()} ${o.path}`);
    for (const p of [
      'POST /residents',
      'POST /cases/{id}/transitions',
      'POST /cases/{id}/complaints',
      'GET /cases/{id}/surveys',
      'GET /quality/workers',
      'POST /webhooks/sms/twilio/inbound',
      'POST /webhooks/sms/aliyun/replies',
      'GET /health',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('gives every route a summary, response schemas and examples', () => {
    const problems: string[] = [];
    for (const { method, path, op } of ops) {
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.summary) problems.push(`${name}: no summary`);
      const statuses = Object.keys(op.responses ?? {}).map(Number);
      const ok = statuses.filter((s) => s >= 200 && s < 300);
      if (ok.length === 0) problems.push(`${name}: no success response`);
      for (const s of ok) {
        const res = op.responses[s];
        if (s === 204) continue;
        if (!res.content) problems.push(`${name}: ${s} has no schema`);
        else if (!hasExample(res.content)) problems.push(`${name}: ${s} has no example`);
      }
      if (op.requestBody && !hasExample(op.requestBody.content))
        problems.push(`${name}: request body has no example`);
      for (const s of statuses.filter((x) => x >= 400)) {
        if (!isErrorBody(op, s)) {
          if (!hasExample(op.responses[s].content)) problems.push(`${name}: ${s} has no example`);
          continue;
        }
        const codes = documented(op, s);
        if (codes.length === 0) problems.push(`${name}: ${s} lists no error codes`);
        for (const c of codes) {
          const entry = (ERROR_CODES as Record<string, { http: readonly number[] }>)[c];
          if (!entry) problems.push(`${name}: ${s} lists ${c}, which errors.ts does not`);
          else if (!entry.http.includes(s))
            problems.push(`${name}: ${c} is not a ${s} (errors.ts: ${entry.http})`);
        }
        if (!hasExample(op.responses[s].content)) problems.push(`${name}: ${s} has no example`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists every error code: in the API description, and each HTTP one under some route', () => {
    for (const c of HTTP_ERROR_CODES) expect(doc.info.description).toContain(`\`${c}\``);
    const underRoutes = new Set(
      ops.flatMap(({ op }) => Object.keys(op.responses).flatMap((s) => documented(op, Number(s)))),
    );
    const missing = HTTP_ERROR_CODES.filter((c) => !underRoutes.has(c) && c !== 'CLOUD_ROUTE_NOT_FOUND');
    expect(missing).toEqual([]);
  });

  it('has every code the source uses in errors.ts, and no code there that nothing uses', async () => {
    const root = join(import.meta.dirname, '../../cloud/src');
    const used = new Set<string>();
    for (const f of await sourceFiles(root)) {
      if (f.endsWith('errors.ts') && f.startsWith(root) && f.slice(root.length) === '/errors.ts') continue;
      for (const m of (await readFile(f, 'utf8')).matchAll(/['"`](CLOUD_[A-Z0-9_]*[A-Z0-9])['"`]/g))
        used.add(m[1]!);
    }
    const listed = Object.keys(ERROR_CODES);
    expect([...used].filter((c) => !listed.includes(c)).sort()).toEqual([]);
    expect(listed.filter((c) => !used.has(c)).sort()).toEqual([]);
  });

  it('answers every route, probed with no token, unknown ids and bad bodies, only with codes it documents', async () => {
    const problems: string[] = [];
    const check = (name: string, op: Json, r: { status: number; body: any; text: string }) => {
      if (r.status >= 500) problems.push(`${name}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status < 400) return;
      const code = r.body?.code;
      if (!documented(op, r.status).includes(code)) {
        problems.push(
          `${name}: answered ${r.status} ${code}, documented: ${documented(op, r.status).join(', ') || 'none'}`,
        );
      }
    };
    for (const { method, path, op } of ops) {
      if (path.startsWith('/docs')) continue;
      const url = path.replace(/\{[^}]+\}/g, 'no-such-id');
      const name = `${method.toUpperCase()} ${path}`;
      const m = method.toUpperCase();
      const noAuth = { authorization: '' };
      const auth = { authorization: `Bearer ${TOKEN}` };
      check(`${name} (no token)`, op, await t.api(m, url, op.requestBody ? {} : undefined, noAuth));
      check(
        `${name} (unknown id, empty body)`,
        op,
        await t.api(m, url, op.requestBody ? {} : undefined, auth),
      );
      if (op.requestBody) {
        check(`${name} (malformed JSON)`, op, await t.api(m, url, '{"not json', auth));
      }
    }
    expect(problems).toEqual([]);
  });
});
