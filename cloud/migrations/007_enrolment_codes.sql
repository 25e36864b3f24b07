-- 007: one-time enrolment codes (issue 6). The duty desk makes a code for a station (and optionally a
-- resident); the installer types it into `anju-gw init`, which trades it for a gateway record and its MQTT
-- secret. Only a SHA-256 of the code is stored: a database dump does not enrol anyone.
CREATE TABLE enrolment_codes (
  id            text PRIMARY KEY,
  code_hash     text NOT NULL UNIQUE,
  station_id    text NOT NULL REFERENCES stations (id),
  resident_id   text REFERENCES residents (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  -- Set once, by the one UPDATE … WHERE used_at IS NULL that wins (single use across replicas).
  used_at       timestamptz,
  gateway_id    text REFERENCES gateways (id),
  -- Tries of this code after it stopped being usable (used or expired): a code that leaked shows here.
  late_attempts integer NOT NULL DEFAULT 0,
  CHECK (expires_at > created_at),
  CHECK ((used_at IS NULL) = (gateway_id IS NULL))
);
CREATE INDEX enrolment_codes_station_idx ON enrolment_codes (station_id);

-- Failed enrolment attempts per client (IP address) and fixed time window: shared by every replica, so
-- guessing codes is rate-limited for the whole service, not per process.
CREATE TABLE enrolment_failures (
  client_key    text NOT NULL,
  window_start  timestamptz NOT NULL,
  failures      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (client_key, window_start)
);
