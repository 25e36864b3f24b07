import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/index.ts';
import { UserError } from '../errors.ts';
import { type ConsoleUsersRepository, principalOfUser } from './console-users.repository.ts';

export const SESSION_COOKIE = 'anju_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A desk shift and then some; the session ends at logout, deactivation or this. */
export const SESSION_TTL_S = 12 * 3600;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request (no @fastify/cookie: one cookie is all the console sets). */
export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function sessionCookie(value: string, maxAgeS: number, secure: boolean): string {
  // httpOnly: page scripts never see it; SameSite=Strict: another site's form or fetch does not carry it.
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

/**
 * The console's session as an API principal, for access control (http/access-control.ts): undefined when
 * the request carries no session cookie (then the bearer token decides). A state-changing request must
 * also carry the session's CSRF token in X-CSRF-Token (synchronizer token; SameSite is the second wall).
 */
export function createSessionAuth(users: ConsoleUsersRepository, now: () => Date = () => new Date()) {
  return async (req: FastifyRequest): Promise<Principal | undefined> => {
    const id = cookieOf(req, SESSION_COOKIE);
    if (!id || req.headers.authorization) return undefined;
    const s = await users.session(id, now());
    if (!s) {
      throw new UserError(
        'CLOUD_CONSOLE_SESSION_INVALID',
        'the console session has ended; log in again',
        401,
      );
    }
    if (!SAFE.has(req.method) && req.headers[CSRF_HEADER] !== s.csrfToken) {
      throw new UserError(
        'CLOUD_CONSOLE_CSRF',
        'a console request that changes data needs its CSRF token',
        403,
      );
    }
    return principalOfUser(s.user);
  };
}
