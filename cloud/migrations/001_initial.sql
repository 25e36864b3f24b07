-- 001: residents, guardians, gateways, events, cases (+ timeline), notifications.
-- Ids minted by the cloud are UUIDs stored as text; gateway and event ids come from the wire contract.

CREATE TABLE residents (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  address     text,
  language    text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE guardians (
  id           text PRIMARY KEY,
  resident_id  text NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  name         text NOT NULL,
  phone        text NOT NULL,
  language     text NOT NULL CHECK (language IN ('zh-CN', 'en')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guardians_resident_idx ON guardians (resident_id);

-- One gateway serves one resident (the home). Only a scrypt hash of its MQTT secret is kept.
CREATE TABLE gateways (
  id                 text PRIMARY KEY,
  resident_id        text NOT NULL REFERENCES residents (id),
  secret_hash        text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  connected          boolean NOT NULL DEFAULT false,
  last_seen_at       timestamptz,
  last_heartbeat_at  timestamptz,
  last_heartbeat     jsonb
);
CREATE INDEX gateways_resident_idx ON gateways (resident_id);

-- A case gathers the events of one resident and kind until someone acknowledges it.
-- Test cases (from `test: true` events) never share a case with real events.
CREATE TABLE cases (
  id               text PRIMARY KEY,
  resident_id      text NOT NULL REFERENCES residents (id),
  kind             text NOT NULL,
  severity         text NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
  test             boolean NOT NULL DEFAULT false,
  opened_at        timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at  timestamptz,
  acknowledged_by  text
);
-- At most one OPEN case per resident and kind (and test flag): concurrent ingest of two events races on
-- this index, and the loser appends to the winner's case (INSERT … ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX cases_one_open_per_resident_kind ON cases (resident_id, kind, test) WHERE status = 'open';
CREATE INDEX cases_resident_idx ON cases (resident_id, opened_at DESC);

-- Events as received; the id minted on the gateway is the idempotency key.
CREATE TABLE events (
  id           text PRIMARY KEY,
  gateway_id   text NOT NULL,
  resident_id  text NOT NULL,
  kind         text NOT NULL,
  severity     text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  detected_at  timestamptz NOT NULL,
  score        jsonb,
  evidence     jsonb NOT NULL,
  test         boolean NOT NULL DEFAULT false,
  case_id      text REFERENCES cases (id),
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_case_idx ON events (case_id, occurred_at);

-- Every change to a case, in order: opened, event_appended, notified, notification_failed, acknowledged.
CREATE TABLE case_timeline (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id  text NOT NULL REFERENCES cases (id),
  at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  type     text NOT NULL,
  detail   jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX case_timeline_case_idx ON case_timeline (case_id, id);

-- Outbound messages. Rows are written 'pending' in the transaction that opens the case, then sent after
-- the commit: a crash between the two leaves a 'pending' row to resend rather than a lost message.
CREATE TABLE notifications (
  id               text PRIMARY KEY,
  case_id          text NOT NULL REFERENCES cases (id),
  recipient_phone  text NOT NULL,
  language         text NOT NULL,
  body             text NOT NULL,
  channel          text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_case_idx ON notifications (case_id, created_at);
CREATE INDEX notifications_pending_idx ON notifications (created_at) WHERE status = 'pending';
