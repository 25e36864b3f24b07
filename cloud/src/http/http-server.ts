import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { isDbUnavailable } from '../db/index.ts';
import { isErrorCode, UserError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { type AccessControlOptions, installAccessControl, requestId } from './access-control.ts';
import { clientErrorHandler } from './client-errors.ts';
import { ErrorResponse } from './http.schemas.ts';
import { type HttpRoutes, isFeature } from './http-feature.ts';
import { addCommonErrors, errorCodesMarkdown } from './route-errors.ts';
import { installTextBoundary } from './text-boundary.ts';

/** What a 503 CLOUD_DB_UNAVAILABLE asks the client to wait: a restart of PostgreSQL takes seconds. */
const DB_RETRY_AFTER_S = 5;

export interface HttpServerOptions {
  log: Logger;
  /** Who may call what (roles, station scoping) and the audit log: access-control.ts. */
  access: AccessControlOptions;
  version: string;
  /** Largest request body (413 CLOUD_BODY_TOO_LARGE beyond it); default 64 KiB. */
  bodyLimitBytes?: number;
  /** Requests per minute per API client (429 CLOUD_RATE_LIMITED beyond it); default 6000. */
  requestsPerMinute?: number;
  /** Counts each 429 (anju_http_rate_limited_total). */
  onRateLimited?: () => void;
  /** Counts each 400 CLOUD_BAD_TEXT by the part of the request it was in (params, query, headers, body). */
  onBadText?: (part: string) => void;
  /** The features' routes (and their shared schemas), registered in order: the shell knows none of them. */
  routes: readonly HttpRoutes[];
}

/**
 * Builds the fastify app (not listening: `server.ts`-style split, so tests may `inject`). Every route
 * has TypeBox schemas, so bodies/params are validated and /docs is complete. Errors always leave as
 * `{ statusCode, code, message }`; a 5xx never shows its internals to the client.
 */
export async function buildHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: opts.bodyLimitBytes ?? 64 * 1024,
    genReqId: requestId,
    clientErrorHandler: clientErrorHandler(opts.log.child({ component: 'http' }) as FastifyBaseLogger),
    // Refused while the route is looked up, before any hook (no caller known, nothing reaches SQL): a path
    // that is not valid text once decoded (e.g. the bytes of a lone surrogate) and a path parameter over
    // the router's 100 characters (every id is at most 64) answer with our codes, not fastify's.
    frameworkErrors: (err, req, reply) => {
      const path = req.url.split('?')[0]!.slice(0, 200);
      const [code, message] =
        err.code === 'FST_ERR_BAD_URL'
          ? (['CLOUD_BAD_TEXT', `${path}: a path segment is not valid UTF-8 text once decoded`] as const)
          : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? (['CLOUD_VALIDATION_FAILED', `${path}: a path parameter is longer than any id`] as const)
            : (['CLOUD_BAD_REQUEST', `${path}: the request could not be routed`] as const);
      req.log.info({ code, fastifyCode: err.code, path }, 'request rejected');
      void (reply as FastifyReply).code(400).send({ statusCode: 400, code, message });
    },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
  });

  // First, so every route registered after it (swagger's own included) takes its line of the table.
  installAccessControl(app, opts.access);

  // Every feature's shared schemas before any route, so a route may refer to another feature's schema.
  app.addSchema(ErrorResponse);
  for (const r of opts.routes) for (const schema of isFeature(r) ? r.schemas : []) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Anju cloud API',
        description:
          'Residents, guardians, gateways, cases and notifications of the Anju (安居) service.\n\n' +
          'Every error is `{ statusCode, code, message }` with a stable `code`; each route lists the codes it may ' +
          'answer. All of them:\n\n' +
          errorCodesMarkdown(),
        version: opts.version,
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A JWT (HS256) minted by `anju-cloud token --role <role> …` with claims sub, role ' +
              '(admin | desk | worker | supervisor | guardian), station (desk, worker, supervisor) or guardian ' +
              '(guardian); or the shared service token (apiToken), which acts as admin. 401 codes: ' +
              'CLOUD_AUTH_MISSING_TOKEN, CLOUD_AUTH_INVALID_TOKEN, CLOUD_AUTH_TOKEN_EXPIRED, ' +
              'CLOUD_AUTH_TOKEN_NOT_YET_VALID, CLOUD_AUTH_TOKEN_WRONG_AUDIENCE, CLOUD_AUTH_TOKEN_WRONG_ISSUER, ' +
              'CLOUD_AUTH_TOKEN_CLAIMS; 403: CLOUD_AUTH_ROLE_FORBIDDEN, CLOUD_AUTH_ACTOR_MISMATCH.',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addHook('onRoute', (route) => addCommonErrors(route, { tokenRequired: true }));

  // Text the database cannot store (NUL, lone surrogates) is the client's error, not a 500: in a path
  // parameter, a query, a header or a body alike (text-boundary.ts).
  installTextBoundary(app, opts.onBadText);
  // Per API client: a route-level onRequest hook, so it runs after access control's (app-level) one has
  // named the caller: the key is the token's subject (a JWT's sub, or the shared service token); the
  // address for the open routes, an open API, and requests refused with 401 before they got here.
  await app.register(rateLimit, {
    max: opts.requestsPerMinute ?? 6000,
    timeWindow: 60_000,
    keyGenerator: (req) => {
      const p = (req as { principal?: { sub: string; role: string; via: string } | null }).principal;
      return p && p.via !== 'open' ? `${p.via}:${p.role}:${p.sub}` : `ip:${req.ip}`;
    },
    onExceeded: () => opts.onRateLimited?.(),
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`too many requests: at most ${ctx.max} a minute; retry in ${ctx.after}`), {
        statusCode: 429,
        code: 'CLOUD_RATE_LIMITED',
      }),
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      req.log.info({ code: 'CLOUD_VALIDATION_FAILED', err: err.message }, 'request rejected');
      return reply.code(400).send({ statusCode: 400, code: 'CLOUD_VALIDATION_FAILED', message: err.message });
    }
    if (err instanceof UserError) {
      req.log.info({ code: err.code }, err.message);
      return reply
        .code(err.statusCode)
        .send({ statusCode: err.statusCode, code: err.code, message: err.message });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      // Our codes (a CloudError with a status, the rate limit) pass; fastify's own 4xx (bad JSON, body too
      // large, unsupported media type …) get stable codes of ours, and its FST_ code stays in the log.
      const code = isErrorCode(err.code)
        ? err.code
        : status === 413
          ? 'CLOUD_BODY_TOO_LARGE'
          : status === 415
            ? 'CLOUD_UNSUPPORTED_MEDIA_TYPE'
            : 'CLOUD_BAD_REQUEST';
      req.log.info({ code, fastifyCode: err.code }, err.message);
      return reply.code(status).send({ statusCode: status, code, message: err.message });
    }
    if (isDbUnavailable(err)) {
      // An outage, not a bug: the client may simply try again (the database restarts in seconds).
      req.log.warn(
        { code: 'CLOUD_DB_UNAVAILABLE', err: err.message },
        'request failed: database unavailable',
      );
      return reply.code(503).header('retry-after', String(DB_RETRY_AFTER_S)).send({
        statusCode: 503,
        code: 'CLOUD_DB_UNAVAILABLE',
        message: 'the database is unavailable; retry shortly',
      });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ statusCode: 500, code: 'CLOUD_INTERNAL', message: 'internal error' });
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      statusCode: 404,
      code: 'CLOUD_ROUTE_NOT_FOUND',
      message: `no route ${req.method} ${req.url.split('?')[0]}`,
    }),
  );

  for (const r of opts.routes) await app.register(isFeature(r) ? r.routes : r);
  return app;
}

/** Marks a route as not needing the bearer token in the OpenAPI document. */
export const openRoute = { security: [] as Record<string, string[]>[] };

export const HealthResponse = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    db: Type.Object({ ok: Type.Boolean(), kind: Type.String(), error: Type.Optional(Type.String()) }),
    broker: Type.Object({ ok: Type.Boolean(), url: Type.String(), clients: Type.Integer() }),
  },
  {
    examples: [
      {
        status: 'ok',
        db: { ok: true, kind: 'postgres' },
        broker: { ok: true, url: 'mqtt://0.0.0.0:1884', clients: 12 },
      },
    ],
  },
);
