import type { FastifyRequest } from 'fastify';
import type { RequestAudit } from '../audit/request-audit.ts';
import type { Principal } from '../auth/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by access control (access-control.ts) on every route that is not open. */
    principal: Principal | null;
    /** This request's audit entry; set with the principal. */
    audit: RequestAudit | null;
  }
}

/** The caller of a role-restricted route (a bug, not a 401, when missing: the route must be declared). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error(`${req.method} ${req.url}: no principal; is the route declared open?`);
  return req.principal;
}

/** The audit entry of a role-restricted route. */
export function auditOf(req: FastifyRequest): RequestAudit {
  if (!req.audit) throw new Error(`${req.method} ${req.url}: no audit entry; is the route declared open?`);
  return req.audit;
}
