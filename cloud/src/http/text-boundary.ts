import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findUnstorableText } from '../../../contracts/src/index.ts';

/** The parts of a request whose text can reach SQL; each is checked before validation. */
type Part = 'params' | 'query' | 'headers' | 'body';

/**
 * The user name and password of an `Authorization: Basic` header, decoded (RFC 7617), or undefined when the
 * header is absent or not Basic. The one decoder of Basic credentials (the gateway bundle routes use it), so
 * the text boundary below checks exactly what a route will read.
 */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0
    ? { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
    : { user: '', password: '' };
}

/**
 * Where in the request the first text the database cannot store sits (a NUL character, a lone surrogate),
 * e.g. `params/id`, `query/residentId`, `headers/authorization (Basic user)`, `body/name`; undefined when
 * everything is storable. Headers: every value, plus the decoded user name and password of a Basic header
 * (base64 can carry a NUL that the header itself cannot).
 */
export function findUnstorableInRequest(req: FastifyRequest): string | undefined {
  const parts: [Part, unknown][] = [
    ['params', req.params],
    ['query', req.query],
    ['headers', req.headers],
    ['body', req.body],
  ];
  for (const [part, value] of parts) {
    if (value === undefined || value === null) continue;
    const at = findUnstorableText(value);
    if (at !== undefined) return `${part}${at}`;
  }
  const basic = basicCredentials(req.headers.authorization);
  if (basic) {
    if (findUnstorableText(basic.user) !== undefined) return 'headers/authorization (Basic user name)';
    if (findUnstorableText(basic.password) !== undefined) return 'headers/authorization (Basic password)';
  }
  return undefined;
}

/**
 * Where the first number that is not finite sits, once validation has coerced the request: `1e309` in a
 * query is a valid integer to Ajv (it coerces to Infinity, and Infinity passes both `type: integer` and
 * `maximum`), and JSON.parse reads `1e309` in a body as Infinity too; PostgreSQL then fails the query
 * (found by tests/security: `GET /cases?limit=1e309` answered 500). Iterative, like findUnstorableText.
 */
export function findNonFinite(value: unknown): string | undefined {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return path || '/';
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) stack.push({ v: child, path: `${path}/${k}` });
    }
  }
  return undefined;
}

/**
 * The text boundary of the HTTP API (issue 18): text the database cannot store is refused with 400
 * CLOUD_BAD_TEXT wherever it comes from — path parameters, query strings, headers (Basic credentials
 * decoded), bodies — in one app-level preValidation hook, so it covers every route, including routes
 * registered later, before any lookup (scope checks run in preHandler, after it). It runs after access
 * control's onRequest (401/403 first, as for any other request), and the refusal is audited like any
 * other: the audit entry keeps only storable text (audit/request-audit.ts). A second hook, after
 * validation, refuses numbers that are not finite (findNonFinite) with 400 CLOUD_VALIDATION_FAILED.
 */
export function installTextBoundary(app: FastifyInstance, onRefused?: (part: string) => void): void {
  app.addHook('preValidation', async (req, reply) => {
    const at = findUnstorableInRequest(req);
    if (at === undefined) return;
    onRefused?.(at.split('/')[0]!.split(' ')[0]!);
    req.log.info({ code: 'CLOUD_BAD_TEXT', at: at.slice(0, 200) }, 'request rejected');
    await reply.code(400).send({
      statusCode: 400,
      code: 'CLOUD_BAD_TEXT',
      message: `${at.slice(0, 200)}: text with a NUL character or a lone surrogate cannot be stored`,
    });
  });
  // After validation (which coerces query and path values): a number that is not finite fails its schema
  // as far as the client is concerned — the same answer as any other value out of range.
  app.addHook('preHandler', async (req, reply) => {
    for (const [part, value] of [
      ['params', req.params],
      ['querystring', req.query],
      ['body', req.body],
    ] as const) {
      const at = value === undefined || value === null ? undefined : findNonFinite(value);
      if (at === undefined) continue;
      req.log.info({ code: 'CLOUD_VALIDATION_FAILED', at: `${part}${at}`.slice(0, 200) }, 'request rejected');
      await reply.code(400).send({
        statusCode: 400,
        code: 'CLOUD_VALIDATION_FAILED',
        message: `${part}${at.slice(0, 200)} must be a finite number`,
      });
      return;
    }
  });
}
