import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../auth/index.ts';
import { isoTime, type Queryable } from '../db/index.ts';

export type StaffRole = 'admin' | 'desk' | 'worker' | 'supervisor';

export interface ConsoleUser {
  username: string;
  displayName: string;
  role: StaffRole;
  stationId: string | null;
  workerId: string | null;
  active: boolean;
  createdAt: string;
}

interface UserRow {
  username: string;
  display_name: string;
  role: StaffRole;
  station_id: string | null;
  worker_id: string | null;
  active: boolean;
  created_at: Date;
  password_hash: string;
  failed_logins: number;
  locked_until: Date | null;
}

const toUser = (r: UserRow): ConsoleUser => ({
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  stationId: r.station_id,
  workerId: r.worker_id,
  active: r.active,
  createdAt: isoTime(r.created_at),
});

/** The API principal a console user acts as: the same roles and station isolation as a JWT. */
export const principalOfUser = (u: ConsoleUser): Principal => ({
  sub: u.role === 'worker' && u.workerId ? u.workerId : u.username,
  role: u.role,
  stationId: u.stationId,
  guardianId: null,
  via: 'session',
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Staff accounts and their sessions (migration 011). Only this module writes console_users/_sessions. */
export function createConsoleUsersRepository(db: Queryable) {
  return {
    async insert(
      u: Omit<ConsoleUser, 'active' | 'createdAt'>,
      passwordHash: string,
      tx: Queryable = db,
    ): Promise<ConsoleUser> {
      const r = await tx.query<UserRow>(
        `INSERT INTO console_users (username, display_name, role, station_id, worker_id, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING *`,
        [u.username, u.displayName, u.role, u.stationId, u.workerId, passwordHash],
      );
      const row = r.rows[0];
      if (!row) throw Object.assign(new Error('exists'), { exists: true });
      return toUser(row);
    },

    async list(stationId: string | undefined): Promise<ConsoleUser[]> {
      const r = await db.query<UserRow>(
        `SELECT * FROM console_users WHERE ($1::text IS NULL OR station_id = $1) ORDER BY username`,
        [stationId ?? null],
      );
      return r.rows.map(toUser);
    },

    async get(username: string): Promise<ConsoleUser | undefined> {
      const r = await db.query<UserRow>('SELECT * FROM console_users WHERE username = $1', [username]);
      return r.rows[0] ? toUser(r.rows[0]) : undefined;
    },

    async setActive(username: string, active: boolean, tx: Queryable = db): Promise<void> {
      await tx.query('UPDATE console_users SET active = $2 WHERE username = $1', [username, active]);
      if (!active) await tx.query('DELETE FROM console_sessions WHERE username = $1', [username]);
    },

    /** The stored hash and lock state, for the login check. */
    async credentials(
      username: string,
    ): Promise<{ user: ConsoleUser; hash: string; lockedUntil: Date | null } | undefined> {
      const r = await db.query<UserRow>('SELECT * FROM console_users WHERE username = $1', [username]);
      const row = r.rows[0];
      return row ? { user: toUser(row), hash: row.password_hash, lockedUntil: row.locked_until } : undefined;
    },

    /** Counts a wrong password; the `maxFailures`-th in a row locks the account for `lockS` seconds. */
    async loginFailed(username: string, now: Date, maxFailures: number, lockS: number): Promise<void> {
      await db.query(
        `UPDATE console_users SET failed_logins = failed_logins + 1,
           locked_until = CASE WHEN failed_logins + 1 >= $3 THEN $2::timestamptz + make_interval(secs => $4) ELSE locked_until END
         WHERE username = $1`,
        [username, now, maxFailures, lockS],
      );
    },

    /** A good password: the failures are forgotten and a session is made. Returns the cookie value. */
    async openSession(
      username: string,
      now: Date,
      ttlS: number,
    ): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + ttlS * 1000);
      await db.query('UPDATE console_users SET failed_logins = 0, locked_until = NULL WHERE username = $1', [
        username,
      ]);
      await db.query(
        'INSERT INTO console_sessions (id_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [sha256(sessionId), username, csrfToken, now, expiresAt],
      );
      return { sessionId, csrfToken, expiresAt };
    },

    /** The live session's user and CSRF token; undefined when unknown, expired or the user deactivated. */
    async session(
      sessionId: string,
      now: Date,
    ): Promise<{ user: ConsoleUser; csrfToken: string; expiresAt: string } | undefined> {
      const r = await db.query<UserRow & { csrf_token: string; expires_at: Date }>(
        `SELECT u.*, s.csrf_token, s.expires_at FROM console_sessions s
           JOIN console_users u USING (username)
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active`,
        [sha256(sessionId), now],
      );
      const row = r.rows[0];
      return row
        ? { user: toUser(row), csrfToken: row.csrf_token, expiresAt: isoTime(row.expires_at) }
        : undefined;
    },

    async closeSession(sessionId: string): Promise<void> {
      await db.query('DELETE FROM console_sessions WHERE id_hash = $1', [sha256(sessionId)]);
    },
  };
}

export type ConsoleUsersRepository = ReturnType<typeof createConsoleUsersRepository>;
