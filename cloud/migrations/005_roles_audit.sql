-- 005: the audit log of the REST API (issue 4, "roles and audit"): who read or changed what, when, and
-- with what outcome. One row per authenticated request that reads personal data or acts; an action's
-- row commits in the action's own transaction. No foreign keys: the log outlives what it names.

CREATE TABLE audit_log (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at                 timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor              text NOT NULL,                 -- the token's sub ('service-token', 'anonymous' otherwise)
  role               text NOT NULL CHECK (role IN ('admin', 'desk', 'worker', 'supervisor', 'guardian')),
  credential         text NOT NULL CHECK (credential IN ('jwt', 'api-token', 'open')),
  actor_station_id   text,                          -- the station the actor's token names
  action             text NOT NULL,                 -- read, list, create, update, transition, acknowledge …
  target_type        text NOT NULL,                 -- resident, case, guardian, worker, station, audit_log …
  target_id          text,
  resident_id        text,                          -- whose personal data, when a resident's is involved
  target_station_id  text,                          -- the station the target belongs to, when known
  request_id         text NOT NULL,
  method             text NOT NULL,
  route              text NOT NULL,
  status             smallint NOT NULL,             -- the HTTP status answered
  outcome            text NOT NULL CHECK (outcome IN ('ok', 'denied', 'not_found', 'rejected', 'failed')),
  detail             jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_resident_idx ON audit_log (resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX audit_log_actor_station_idx ON audit_log (actor_station_id, id);
CREATE INDEX audit_log_target_station_idx ON audit_log (target_station_id, id);

-- Append-only at the database level: any UPDATE, DELETE or TRUNCATE raises, whoever sends it (the
-- application, a console, a bug). Only dropping the trigger or the table (DDL by the owner) gets past
-- it; deployments that need more give the service a role without those rights.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
