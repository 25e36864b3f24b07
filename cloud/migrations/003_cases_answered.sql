-- 003: cases that get answered (issue 4): street stations, social workers and their roster, the case
-- lifecycle as a state machine, dispatch attempts, escalation timers, recipient roles on notifications.
-- Additive: existing rows keep their meaning ('open' and 'acknowledged' are states of the new machine).

-- A street station (tenant): its social workers serve the residents registered with it.
CREATE TABLE stations (
  id                   text PRIMARY KEY,
  name                 text NOT NULL,
  supervisor_name      text,
  supervisor_phone     text,
  supervisor_language  text NOT NULL DEFAULT 'zh-CN' CHECK (supervisor_language IN ('zh-CN', 'en')),
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workers (
  id          text PRIMARY KEY,
  station_id  text NOT NULL REFERENCES stations (id),
  name        text NOT NULL,
  phone       text NOT NULL,
  language    text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
  skills      text[] NOT NULL DEFAULT '{}',
  -- Home base, WGS 84 degrees: dispatch ranks workers by distance from here to the resident.
  home_lat    double precision NOT NULL CHECK (home_lat BETWEEN -90 AND 90),
  home_lon    double precision NOT NULL CHECK (home_lon BETWEEN -180 AND 180),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workers_station_idx ON workers (station_id) WHERE active;

-- The roster: weekly on-call hours in the configured time zone. end <= start = overnight (22:00–06:00).
CREATE TABLE shifts (
  id           text PRIMARY KEY,
  worker_id    text NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
  weekdays     smallint[] NOT NULL CHECK (weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
  start_local  text NOT NULL CHECK (start_local ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  end_local    text NOT NULL CHECK (end_local ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shifts_worker_idx ON shifts (worker_id);

ALTER TABLE residents
  ADD COLUMN station_id  text REFERENCES stations (id),
  ADD COLUMN conditions  text[] NOT NULL DEFAULT '{}',
  -- e.g. {"homeVisit": true, "shareAddressWithWorkers": true, "dataProcessing": true}
  ADD COLUMN consent     jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Quiet hours (local time): non-urgent texts wait until they end; urgent and critical ones do not.
ALTER TABLE guardians
  ADD COLUMN quiet_start  text CHECK (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  ADD COLUMN quiet_end    text CHECK (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');

-- The lifecycle: open → assigned → acknowledged → en_route → on_site → resolved → closed, plus
-- cancelled and false_alarm (cloud/src/cases/case-state-machine.ts is the one definition of the edges).
ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases ADD CONSTRAINT cases_status_check CHECK (status IN (
  'open', 'assigned', 'acknowledged', 'en_route', 'on_site', 'resolved', 'closed', 'cancelled', 'false_alarm'));
ALTER TABLE cases
  ADD COLUMN assignee_id    text REFERENCES workers (id),
  ADD COLUMN station_id     text REFERENCES stations (id),
  ADD COLUMN en_route_at    timestamptz,
  ADD COLUMN resolved_at    timestamptz,
  ADD COLUMN closed_at      timestamptz,
  ADD COLUMN resolution     text;

-- "Open" for the one-case rule is any state that is not terminal.
DROP INDEX cases_one_open_per_resident_kind;
CREATE UNIQUE INDEX cases_one_open_per_resident_kind ON cases (resident_id, kind, test)
  WHERE status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm');
CREATE INDEX cases_assignee_active_idx ON cases (assignee_id)
  WHERE status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm');

-- Each worker a case was offered to, in order; the next attempt skips everyone already asked.
CREATE TABLE case_assignments (
  case_id      text NOT NULL REFERENCES cases (id),
  attempt      integer NOT NULL,
  worker_id    text NOT NULL REFERENCES workers (id),
  assigned_at  timestamptz NOT NULL,
  PRIMARY KEY (case_id, attempt)
);

-- Escalation timers: rows with a due time, taken with FOR UPDATE SKIP LOCKED by any replica. The unique
-- key makes creating one idempotent; fired_at/cancelled_at make firing it happen at most once.
CREATE TABLE timers (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id       text NOT NULL REFERENCES cases (id),
  kind          text NOT NULL CHECK (kind IN ('ack_deadline', 'level2', 'level3')),
  attempt       integer NOT NULL DEFAULT 1,
  due_at        timestamptz NOT NULL,
  fired_at      timestamptz,
  fired_by      text,
  -- what firing did: 'escalated', 'reassigned', 'exhausted', or 'moot' (the case was taken meanwhile)
  outcome       text,
  cancelled_at  timestamptz,
  UNIQUE (case_id, kind, attempt)
);
CREATE INDEX timers_due_idx ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- Who a text is for, so "every text each person got" can be asked; held texts wait for not_before.
ALTER TABLE notifications
  ADD COLUMN recipient_role  text NOT NULL DEFAULT 'guardian'
    CHECK (recipient_role IN ('guardian', 'worker', 'supervisor', 'duty_desk')),
  ADD COLUMN recipient_id    text,
  ADD COLUMN not_before      timestamptz;
CREATE INDEX notifications_held_idx ON notifications (not_before) WHERE status = 'pending' AND not_before IS NOT NULL;
