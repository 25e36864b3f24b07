-- 004: real SMS providers (issue 4): what each provider said about a text, and the texts people send back.
-- Only columns and tables of its own (sms_* on notifications, inbound_messages), so it applies on top of
-- whatever 003 changes in the case lifecycle.

ALTER TABLE notifications
  -- The provider channel that took the text ('aliyun-sms', 'twilio-sms') and its id for it:
  -- Aliyun BizId, Twilio MessageSid. Receipts are matched by it (and by our id, echoed as OutId / ?n=).
  ADD COLUMN sms_provider           text,
  ADD COLUMN sms_message_id         text,
  -- HTTP requests made for this text, retries included.
  ADD COLUMN sms_attempts           integer NOT NULL DEFAULT 0,
  -- The provider's own code for a refusal or a failed delivery (isv.MOBILE_NUMBER_ILLEGAL, 21211, 30003).
  ADD COLUMN sms_error_code         text,
  -- accepted (provider took it) → sent (left for the network) → delivered | undelivered (receipt).
  ADD COLUMN sms_delivery_status    text CHECK (sms_delivery_status IN ('accepted', 'sent', 'delivered', 'undelivered')),
  ADD COLUMN sms_delivery_at        timestamptz;
CREATE UNIQUE INDEX notifications_sms_message_idx ON notifications (sms_provider, sms_message_id)
  WHERE sms_message_id IS NOT NULL;

-- Texts received from people (replies to our texts), whatever they say. The provider's id makes a
-- re-delivered webhook a no-op.
CREATE TABLE inbound_messages (
  id                   text PRIMARY KEY,
  provider             text NOT NULL,
  provider_message_id  text NOT NULL,
  from_phone           text NOT NULL,
  to_number            text,
  body                 text NOT NULL,
  received_at          timestamptz NOT NULL,
  -- What we did with it: acknowledged (a case), nothing_open, help (not understood), unknown_sender.
  outcome              text NOT NULL CHECK (outcome IN ('acknowledged', 'nothing_open', 'help', 'unknown_sender')),
  case_id              text REFERENCES cases (id),
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_message_id)
);
CREATE INDEX inbound_messages_from_idx ON inbound_messages (from_phone, received_at DESC);
