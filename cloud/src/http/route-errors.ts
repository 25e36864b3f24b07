import type { RouteOptions } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { documentedCodes, errorResponse, HTTP_ERROR_CODES, isErrorSchema } from './http.schemas.ts';

/**
 * The error codes every route may answer, added to its OpenAPI entry when it is registered (an onRoute
 * hook), so route files list only their own: CLOUD_VALIDATION_FAILED where there is anything to
 * validate, CLOUD_BAD_TEXT everywhere (text-boundary.ts), the body-reading codes where there is a body, the bearer-token codes where the token is
 * asked for, and CLOUD_INTERNAL and CLOUD_DB_UNAVAILABLE everywhere.
 */
export function addCommonErrors(route: RouteOptions, opts: { tokenRequired: boolean }): void {
  const schema = route.schema as
    | (Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean; security?: unknown })
    | undefined;
  if (!schema || schema.hide) return;
  schema.response ??= {};
  const response = schema.response;
  const add = (status: number, codes: readonly ErrorCode[]) => {
    const existing = response[status];
    // A route's own schema for that status (e.g. /health's 503 body) is left alone; the bare shared
    // ErrorResponse (no codes of its own) is replaced by one that lists them.
    const bareRef = (existing as { $ref?: string } | undefined)?.$ref === 'ErrorResponse';
    if (existing !== undefined && !isErrorSchema(existing) && !bareRef) return;
    const merged = [...new Set([...documentedCodes(existing), ...codes])];
    response[status] = errorResponse(status, merged);
  };
  if (schema.body || schema.querystring || schema.params) add(400, ['CLOUD_VALIDATION_FAILED']);
  // Any route: a path, query or header with text the database cannot store (text-boundary.ts).
  add(400, ['CLOUD_BAD_TEXT']);
  if (schema.body) {
    add(400, ['CLOUD_BAD_REQUEST']);
    add(413, ['CLOUD_BODY_TOO_LARGE']);
    add(415, ['CLOUD_UNSUPPORTED_MEDIA_TYPE']);
  }
  const open = Array.isArray(schema.security) && schema.security.length === 0;
  if (opts.tokenRequired && !open) {
    add(401, [
      'CLOUD_AUTH_MISSING_TOKEN',
      'CLOUD_AUTH_INVALID_TOKEN',
      'CLOUD_AUTH_TOKEN_EXPIRED',
      'CLOUD_AUTH_TOKEN_NOT_YET_VALID',
      'CLOUD_AUTH_TOKEN_WRONG_AUDIENCE',
      'CLOUD_AUTH_TOKEN_WRONG_ISSUER',
      'CLOUD_AUTH_TOKEN_CLAIMS',
      // the web console's cookie session instead of a bearer token (console/session-cookie.ts)
      'CLOUD_CONSOLE_SESSION_INVALID',
    ]);
    add(403, ['CLOUD_AUTH_ROLE_FORBIDDEN', 'CLOUD_CONSOLE_CSRF']);
  }
  // Any route: refused by Node's HTTP parser before routing (client-errors.ts).
  add(408, ['CLOUD_REQUEST_TIMEOUT']);
  add(431, ['CLOUD_HEADERS_TOO_LARGE']);
  add(429, ['CLOUD_RATE_LIMITED']);
  add(500, ['CLOUD_INTERNAL']);
  add(503, ['CLOUD_DB_UNAVAILABLE']);
}

/** The table of every code for the API's description (the one list, rendered). */
export function errorCodesMarkdown(): string {
  const rows = HTTP_ERROR_CODES.map(
    (c) => `| \`${c}\` | ${ERROR_CODES[c].http.join(', ')} | ${ERROR_CODES[c].description} |`,
  );
  return ['| code | HTTP | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
