-- 006: satisfaction surveys and complaints after a case is finished (issue 4), and the message type of each
-- text (an SMS provider that sends only pre-registered templates picks the template by it).
-- Tables of its own plus additive columns; the one constraint it replaces (inbound_messages.outcome) only
-- gains values.

-- One survey per case and guardian. The row is also its own timer: while sent_at and skipped are NULL it
-- waits for due_at (close + delay, pushed past the guardian's quiet hours), and any replica may take it
-- with FOR UPDATE SKIP LOCKED, like the escalation timers.
CREATE TABLE case_surveys (
  id               text PRIMARY KEY,
  case_id          text NOT NULL REFERENCES cases (id),
  -- A guardian removed later keeps their answer (the row keeps the phone it was sent to).
  guardian_id      text REFERENCES guardians (id) ON DELETE SET NULL,
  recipient_phone  text NOT NULL,
  language         text NOT NULL CHECK (language IN ('zh-CN', 'en')),
  due_at           timestamptz NOT NULL,
  -- When the survey text was queued for sending (its notification row records the delivery).
  sent_at          timestamptz,
  notification_id  text REFERENCES notifications (id),
  -- Why it was never sent: 'guardian_removed'.
  skipped          text,
  -- The first valid answer, 1..5; later answers do not change it (counted in late_replies).
  score            smallint CHECK (score BETWEEN 1 AND 5),
  replied_at       timestamptz,
  raw_reply        text,
  late_replies     integer NOT NULL DEFAULT 0,
  -- Replies that were neither a score nor words (out of range, garbled): answered with a help text.
  help_replies     integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, guardian_id)
);
CREATE INDEX case_surveys_due_idx ON case_surveys (due_at) WHERE sent_at IS NULL AND skipped IS NULL;
CREATE INDEX case_surveys_case_idx ON case_surveys (case_id);
-- Replies are matched by the digits of the phone number (notify/inbound/phone-match.ts).
CREATE INDEX case_surveys_phone_idx ON case_surveys (regexp_replace(recipient_phone, '[^0-9]', '', 'g'), sent_at DESC)
  WHERE sent_at IS NOT NULL;

-- A complaint about how a case was handled: a low score (≤ 2), words sent back after a survey, or one the
-- duty desk records (POST /cases/:id/complaints).
CREATE TABLE complaints (
  id           text PRIMARY KEY,
  case_id      text NOT NULL REFERENCES cases (id),
  source       text NOT NULL CHECK (source IN ('low_score', 'survey_text', 'duty_desk')),
  survey_id    text REFERENCES case_surveys (id),
  guardian_id  text REFERENCES guardians (id) ON DELETE SET NULL,
  score        smallint CHECK (score BETWEEN 1 AND 5),
  text         text,
  -- The duty-desk operator who recorded it (NULL for complaints by SMS).
  recorded_by  text,
  created_at   timestamptz NOT NULL,
  -- Order of recording (several may share the service clock's created_at).
  seq          bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX complaints_case_idx ON complaints (case_id, created_at);

-- What a text is (guardian_alert, guardian_emergency, worker_dispatch, supervisor_escalation,
-- duty_desk_emergency, survey); NULL on rows written before 006 (the recipient role then tells).
ALTER TABLE notifications ADD COLUMN message_type text;

-- Survey replies are inbound texts too.
ALTER TABLE inbound_messages DROP CONSTRAINT inbound_messages_outcome_check;
ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_outcome_check CHECK (outcome IN (
  'acknowledged', 'nothing_open', 'help', 'unknown_sender',
  'survey_score', 'survey_late', 'survey_help', 'complaint'));
