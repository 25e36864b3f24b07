-- 012: the duty desk's workflow in the web console (issue 19): referrals (转介) of a case to another
-- station or an outside agency, and complaints handled to the end (owner, status, deadline, reply).

CREATE TABLE case_referrals (
  id              text PRIMARY KEY,
  case_id         text NOT NULL REFERENCES cases (id),
  from_station_id text,
  -- Either another street station (to_station_id) or an outside agency by name (hospital, police, 居委会).
  to_station_id   text REFERENCES stations (id),
  agency          text,
  reason          text NOT NULL,
  referred_by     text NOT NULL,
  created_at      timestamptz NOT NULL,
  -- The receiving station says it has taken the case over.
  accepted_by     text,
  accepted_at     timestamptz,
  CHECK ((to_station_id IS NULL) <> (agency IS NULL))
);
CREATE INDEX case_referrals_case_idx ON case_referrals (case_id, created_at);
CREATE INDEX case_referrals_to_station_idx ON case_referrals (to_station_id, created_at);

ALTER TABLE complaints
  ADD COLUMN owner text,
  ADD COLUMN status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'answered', 'closed')),
  ADD COLUMN due_at timestamptz,
  ADD COLUMN reply_text text,
  ADD COLUMN replied_at timestamptz,
  ADD COLUMN replied_by text,
  -- Who to text the reply to when the complaint came by phone (else the guardian who sent it).
  ADD COLUMN complainant_phone text;
CREATE INDEX complaints_open_idx ON complaints (status, due_at) WHERE status <> 'closed';

-- The reply to a complaint is a text of its own type.
