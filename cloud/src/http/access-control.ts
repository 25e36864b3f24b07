import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { createAuditRepository } from '../audit/audit.repository.ts';
import { RequestAudit } from '../audit/request-audit.ts';
import {
  type Access,
  type Authenticator,
  accessFor,
  createScopeChecker,
  missingAnswer,
  PERMISSIONS,
  type Principal,
} from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { UserError } from '../errors.ts';
import { documentedCodes, errorResponse, isErrorSchema } from './http.schemas.ts';
import './request-context.ts';

export interface AccessControlOptions {
  db: Db;
  authenticator: Authenticator;
  /** The permission table; cloud/src/auth/permissions.ts by default. */
  permissions?: Readonly<Record<string, Access>>;
  /** Told the code of every refused token (401), e.g. to count it. */
  onAuthFailure?: (code: string) => void;
  /**
   * The web console's cookie session (console/session-cookie.ts): a Principal when the request carries
   * one and no Authorization header, undefined otherwise (the bearer token decides); throws 401/403.
   */
  session?: (req: FastifyRequest) => Promise<Principal | undefined>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** A caller's X-Request-Id when it is sane (it ends up in logs and the audit log), else a fresh UUID. */
export function requestId(raw: IncomingMessage): string {
  const h = raw.headers['x-request-id'];
  return typeof h === 'string' && REQUEST_ID.test(h) ? h : randomUUID();
}

const accessOf = (req: FastifyRequest) =>
  (req.routeOptions.config as { access?: Access } | undefined)?.access;

/**
 * Roles, station scoping and the audit log for every route, in four hooks on the root instance (so they
 * see every route, including those of plugins registered later):
 * - onRoute: each route takes its line of the permission table — a route without one stops the start;
 * - onRequest: the bearer token → a Principal (401), the role against the table (403);
 * - preHandler: the ids the table names are checked against the caller's station or resident (404);
 * - onSend: the request's audit entry is written before the response leaves (unless the action wrote
 *   it in its own transaction).
 */
export function installAccessControl(app: FastifyInstance, o: AccessControlOptions): void {
  const table = o.permissions ?? PERMISSIONS;
  const scope = createScopeChecker(o.db);
  const audit = createAuditRepository(o.db);
  app.decorateRequest('principal', null);
  app.decorateRequest('audit', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let access: Access | undefined;
    for (const m of methods) {
      access = accessFor(m, route.url, table);
      if (!access) {
        throw new Error(
          `route ${m} ${route.url} has no line in the permission table (cloud/src/auth/permissions.ts); ` +
            `add one, e.g. '${m} ${route.url}': OPEN, or allow(OFFICE, 'read', '<target>', param('resident'))`,
        );
      }
    }
    route.config = { ...(route.config as object | undefined), access } as typeof route.config;
    if (access) documentAccess(route, access);
  });

  app.addHook('onRequest', async (req, reply) => {
    const access = accessOf(req);
    if (access?.open) return;
    let principal: Principal;
    try {
      principal = (await o.session?.(req)) ?? o.authenticator.authenticate(req.headers.authorization);
    } catch (err) {
      if (err instanceof UserError && err.statusCode === 401) {
        o.onAuthFailure?.(err.code);
        reply.header('www-authenticate', 'Bearer realm="anju"');
      }
      throw err;
    }
    req.principal = principal;
    if (!access) return; // no such route: the not-found handler answers (to callers with a token only)
    const route = req.routeOptions.url ?? req.url;
    const idRef = access.scope.find((s) => s.from === 'params' && s.type === access.target);
    const params = req.params as Record<string, string> | undefined;
    req.audit = new RequestAudit({ db: o.db, audit }, principal, {
      id: req.id,
      method: req.method,
      route,
      action: access.action,
      targetType: access.target,
      targetId: (idRef && params?.[idRef.key]) ?? null,
    });
    if (!access.roles.includes(principal.role)) {
      throw new UserError(
        'CLOUD_AUTH_ROLE_FORBIDDEN',
        `a ${principal.role} token may not call ${req.method} ${route} (roles: ${access.roles.join(', ')})`,
        403,
      );
    }
  });

  app.addHook('preHandler', async (req) => {
    const access = accessOf(req);
    if (!req.audit || !req.principal || !access || access.open || access.scope.length === 0) return;
    const audit = req.audit;
    await scope.check(
      req.principal,
      access.scope,
      { params: req.params, body: req.body, querystring: req.query },
      (owner) => audit.set({ residentId: owner.residentId, targetStationId: owner.stationId }),
    );
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    if (!req.audit) return payload;
    try {
      await req.audit.finish(reply.statusCode);
    } catch (err) {
      // Fail closed: data is not served when its read cannot be recorded (the error handler answers 500).
      if (reply.statusCode < 400) throw err;
      req.log.error({ err }, 'could not write the audit entry of a refused request');
    }
    return payload;
  });
}

/** The route's roles and its 401/403 answers in the OpenAPI document; open routes need no token. */
function documentAccess(route: RouteOptions, access: Access): void {
  const schema = route.schema as
    | (FastifySchema & { hide?: boolean; description?: string; response?: Record<string, unknown> })
    | undefined;
  if (!schema || schema.hide) return;
  if (access.open) {
    route.schema = { ...schema, security: [] };
    return;
  }
  const scoped =
    access.scope.length > 0
      ? ' Ids of another station (for a guardian: of another resident) answer 404, as if they did not exist.'
      : '';
  const roles = `**Roles:** ${access.roles.join(', ')}.${scoped} Audit: \`${access.action} ${access.target}\`.`;
  route.schema = {
    ...schema,
    description: schema.description ? `${schema.description}\n\n${roles}` : roles,
    ...(schema.response
      ? {
          response: withScopeAnswers(access, {
            401: Type.Ref('ErrorResponse'),
            403: Type.Ref('ErrorResponse'),
            ...schema.response,
          }),
        }
      : {}),
  };
}

/** Each scoped id's "not found" answer (auth/scope.ts) among the route's documented errors. */
function withScopeAnswers(access: Access & { open: false }, response: Record<string, unknown>) {
  for (const ref of access.scope) {
    const { status, code } = missingAnswer(ref);
    const existing = response[status];
    const bareRef = (existing as { $ref?: string } | undefined)?.$ref === 'ErrorResponse';
    if (existing !== undefined && !isErrorSchema(existing) && !bareRef) continue;
    const codes = documentedCodes(existing);
    if (!codes.includes(code)) response[status] = errorResponse(status, [...codes, code]);
  }
  return response;
}
