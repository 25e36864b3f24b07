-- 009: supervision (issue 16). A gateway's next-heartbeat deadline as a column with a partial index (the
-- supervision job asks "who is due" through it, never a scan per tick); planned outages set by the desk;
-- one active device_health case per (resident, fault, device) instead of one per resident; desk-set
-- vital-sign limits per resident.

ALTER TABLE gateways
  -- The interval the gateway's last heartbeat declared (heartbeatIntervalS), else null (config default).
  ADD COLUMN heartbeat_interval_s  integer CHECK (heartbeat_interval_s BETWEEN 1 AND 3600),
  -- When silence becomes a fault: last heartbeat + interval + grace (pushed on by a cloud/broker outage).
  ADD COLUMN silent_due_at         timestamptz,
  -- Set when the gateway_silent fault is raised (its case is open); null again when heartbeats resume.
  ADD COLUMN silent_since          timestamptz,
  -- A planned outage the desk has set: no gateway_silent fault before it ends.
  ADD COLUMN maintenance_until     timestamptz,
  ADD COLUMN maintenance_reason    text CHECK (length(maintenance_reason) <= 200);
CREATE INDEX gateways_silent_due_idx ON gateways (silent_due_at) WHERE silent_since IS NULL;

-- When any replica last ran the supervision job: a gap longer than the job's interval means the cloud (or
-- its broker link) was down, and no gateway's silence during it counts (see docs/supervision.md).
CREATE TABLE supervision_clock (
  id            smallint PRIMARY KEY CHECK (id = 1),
  last_tick_at  timestamptz NOT NULL
);

-- A device fault opens one case per (resident, fault, device): `fault_key` is '<fault>:<device>' for
-- device_health events that carry DeviceFaultEvidence, '' for every other case (one per resident and kind,
-- as before).
ALTER TABLE cases ADD COLUMN fault_key text NOT NULL DEFAULT '';
DROP INDEX cases_one_open_per_resident_kind;
CREATE UNIQUE INDEX cases_one_open_per_resident_kind ON cases (resident_id, kind, test, fault_key)
  WHERE status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm');

-- Heart-rate limits the desk sets for a resident; pushed to the resident's gateway(s) as vitals_limits.
CREATE TABLE vitals_limits (
  resident_id      text PRIMARY KEY REFERENCES residents (id) ON DELETE CASCADE,
  heart_rate_low   integer NOT NULL CHECK (heart_rate_low BETWEEN 20 AND 120),
  heart_rate_high  integer NOT NULL CHECK (heart_rate_high BETWEEN 60 AND 220),
  sustained_s      integer NOT NULL CHECK (sustained_s BETWEEN 30 AND 3600),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text,
  CHECK (heart_rate_low < heart_rate_high)
);
