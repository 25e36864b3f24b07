import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError, UserError } from '../errors.ts';
import { errors } from '../http/http.schemas.ts';
import { openRoute } from '../http/http-server.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import {
  ConsoleUser,
  LoginBody,
  NewUserBody,
  SessionInfo,
  UserParams,
  UserPatchBody,
} from './console.schemas.ts';
import type { ConsoleUsersRepository } from './console-users.repository.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { cookieOf, SESSION_COOKIE, SESSION_TTL_S, sessionCookie } from './session-cookie.ts';

/** Wrong passwords in a row before an account is locked, and for how long (OWASP: throttle per account). */
const MAX_FAILURES = 5;
const LOCK_S = 5 * 60;
/** Login attempts per minute per address (the API's rate limiter, keyed by address before login). */
const LOGINS_PER_MIN = 20;

/**
 * Staff log in to the console with a password; the answer sets an httpOnly, SameSite=Strict session
 * cookie and gives the CSRF token the page sends back with each change. Managers create accounts.
 */
export function consoleAuthRoutes(deps: {
  users: ConsoleUsersRepository;
  /** Set the cookie's Secure flag (publicUrl is https). */
  secureCookie: boolean;
  now?: () => Date;
}): FastifyPluginAsync {
  const { users } = deps;
  const now = deps.now ?? (() => new Date());
  return async (app) => {
    app.post<{ Body: LoginBody }>(
      '/console-api/login',
      {
        config: { rateLimit: { max: LOGINS_PER_MIN, timeWindow: 60_000 } },
        schema: {
          ...openRoute,
          tags: ['console'],
          summary: 'Log in to the web console (sets the session cookie)',
          body: LoginBody,
          response: {
            200: SessionInfo,
            ...errors('CLOUD_CONSOLE_LOGIN_FAILED', 'CLOUD_CONSOLE_LOCKED'),
          },
        },
      },
      async (req, reply) => {
        const { username, password } = req.body;
        const found = await users.credentials(username);
        const t = now();
        if (found?.lockedUntil && found.lockedUntil > t) {
          const retry = Math.ceil((found.lockedUntil.getTime() - t.getTime()) / 1000);
          reply.header('retry-after', String(retry));
          // UserError carries no 429; the error handler passes a known code with its status.
          throw Object.assign(new Error(`too many wrong passwords; retry in ${retry} s`), {
            statusCode: 429,
            code: 'CLOUD_CONSOLE_LOCKED',
          });
        }
        // A missing user costs one scrypt too, so timing does not tell which names exist.
        const ok = await verifyPassword(password, found?.hash ?? (await dummyHash()));
        if (!found || !ok || !found.user.active) {
          if (found) await users.loginFailed(username, t, MAX_FAILURES, LOCK_S);
          req.log.info({ code: 'CLOUD_CONSOLE_LOGIN_FAILED' }, 'console login refused');
          throw new UserError('CLOUD_CONSOLE_LOGIN_FAILED', 'wrong user name or password', 401);
        }
        const s = await users.openSession(username, t, SESSION_TTL_S);
        reply.header('set-cookie', sessionCookie(s.sessionId, SESSION_TTL_S, deps.secureCookie));
        req.log.info({ username, role: found.user.role }, 'console login');
        const u = found.user;
        return {
          username: u.username,
          displayName: u.displayName,
          role: u.role,
          sub: u.role === 'worker' && u.workerId ? u.workerId : u.username,
          stationId: u.stationId,
          csrfToken: s.csrfToken,
        };
      },
    );

    app.get(
      '/console-api/session',
      {
        schema: {
          tags: ['console'],
          summary: 'Who is logged in, and the CSRF token of the session',
          response: { 200: SessionInfo },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const id = p.via === 'session' ? cookieOf(req, SESSION_COOKIE) : undefined;
        const s = id ? await users.session(id, now()) : undefined;
        return {
          username: s?.user.username ?? p.sub,
          displayName: s?.user.displayName ?? p.sub,
          role: p.role,
          sub: p.sub,
          stationId: p.stationId,
          csrfToken: s?.csrfToken ?? null,
        };
      },
    );

    app.post(
      '/console-api/logout',
      {
        schema: {
          tags: ['console'],
          summary: 'End the console session',
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        const id = cookieOf(req, SESSION_COOKIE);
        if (id) await users.closeSession(id);
        reply.header('set-cookie', sessionCookie('', 0, deps.secureCookie));
        return reply.code(204).send();
      },
    );

    app.get(
      '/console-api/users',
      {
        schema: {
          tags: ['console'],
          summary: 'Console accounts of the station (all stations for admins)',
          response: { 200: Type.Object({ items: Type.Array(ConsoleUser) }) },
        },
      },
      async (req) => {
        const p = principalOf(req);
        return { items: await users.list(p.role === 'admin' ? undefined : (p.stationId ?? '')) };
      },
    );

    app.post<{ Body: NewUserBody }>(
      '/console-api/users',
      {
        schema: {
          tags: ['console'],
          summary: 'Create a console account (password hashed with scrypt)',
          description:
            'A desk, worker or supervisor account belongs to a station; a worker account speaks for a worker ' +
            'record (workerId). Supervisors create accounts of their own station only, and no admins.',
          body: NewUserBody,
          response: {
            201: ConsoleUser,
            ...errors(
              'CLOUD_CONSOLE_USER_EXISTS',
              'CLOUD_CONSOLE_BAD_ACCOUNT',
              [404, 'CLOUD_STATION_NOT_FOUND'],
              'CLOUD_WORKER_NOT_FOUND',
            ),
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        const b = req.body;
        const stationId = b.stationId ?? null;
        const workerId = b.workerId ?? null;
        if (p.role !== 'admin' && (b.role === 'admin' || stationId !== p.stationId)) {
          throw new UserError(
            'CLOUD_AUTH_ROLE_FORBIDDEN',
            'a supervisor creates accounts of their station',
            403,
          );
        }
        if ((b.role === 'admin') !== (stationId === null) || (b.role === 'worker') !== (workerId !== null)) {
          throw new UserError(
            'CLOUD_CONSOLE_BAD_ACCOUNT',
            'admins have no station; desk, worker and supervisor accounts need one; worker accounts need workerId',
            400,
          );
        }
        const audit = auditOf(req);
        audit.set({ targetId: b.username, targetStationId: stationId, detail: { role: b.role } });
        const hash = await hashPassword(b.password);
        try {
          const u = await audit.transaction(
            (tx) =>
              users.insert(
                { username: b.username, displayName: b.displayName, role: b.role, stationId, workerId },
                hash,
                tx,
              ),
            201,
          );
          return reply.code(201).send(u);
        } catch (err) {
          if ((err as { exists?: boolean }).exists) {
            throw new UserError('CLOUD_CONSOLE_USER_EXISTS', `user ${b.username} exists`, 409);
          }
          const code = (err as { code?: string }).code;
          if (code === '23503') {
            // Foreign key: the worker record (the station was checked by the permission table's scope).
            throw new NotFoundError('CLOUD_WORKER_NOT_FOUND', `worker ${workerId} not found`);
          }
          throw err;
        }
      },
    );

    app.patch<{ Params: Static<typeof UserParams>; Body: Static<typeof UserPatchBody> }>(
      '/console-api/users/:username',
      {
        schema: {
          tags: ['console'],
          summary: 'Activate or deactivate a console account (deactivating ends its sessions)',
          params: UserParams,
          body: UserPatchBody,
          response: { 200: ConsoleUser, ...errors('CLOUD_CONSOLE_USER_NOT_FOUND') },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const u = await users.get(req.params.username);
        if (!u || (p.role !== 'admin' && u.stationId !== p.stationId)) {
          throw new NotFoundError('CLOUD_CONSOLE_USER_NOT_FOUND', `user ${req.params.username} not found`);
        }
        const audit = auditOf(req);
        audit.set({ targetId: u.username, targetStationId: u.stationId, detail: req.body });
        await audit.transaction((tx) => users.setActive(u.username, req.body.active, tx));
        return { ...u, active: req.body.active };
      },
    );
  };
}
