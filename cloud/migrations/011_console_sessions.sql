-- 011: the web console (issue 19): staff accounts with a password, their sessions (an httpOnly cookie
-- names one; the CSRF token is the session's), and what the live queue reads.

-- A person who logs in to the console. The role and station map onto the REST API's roles and station
-- isolation (auth/principal.ts); a worker's account speaks for its worker record (sub = worker id).
CREATE TABLE console_users (
  username       text PRIMARY KEY,
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'desk', 'worker', 'supervisor')),
  station_id     text REFERENCES stations (id),
  worker_id      text REFERENCES workers (id),
  -- scrypt$N$r$p$salt$hash (base64url), node:crypto scrypt: never the password itself.
  password_hash  text NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'admin') = (station_id IS NULL)),
  CHECK ((role = 'worker') = (worker_id IS NOT NULL))
);

-- A logged-in browser. The cookie carries a random id; only its SHA-256 is stored, so a read of this
-- table does not give sessions away. Every replica reads the same rows: log in on one, act on another.
CREATE TABLE console_sessions (
  id_hash      text PRIMARY KEY,
  username     text NOT NULL REFERENCES console_users (username) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_user_idx ON console_sessions (username);

-- The live queue polls "what changed since" (console/case-feed.ts): every replica's commits, any desk.
CREATE INDEX cases_updated_idx ON cases (updated_at);

-- Console sessions and signed case links are credentials of the audit log too.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_credential_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_credential_check
  CHECK (credential IN ('jwt', 'api-token', 'open', 'session', 'link'));
