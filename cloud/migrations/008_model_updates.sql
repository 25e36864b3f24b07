-- 008: model updates from the cloud (issue 6). Published model bundles (files kept in the database, so
-- every replica can serve them), and each model_update command sent to a gateway with its result.

CREATE TABLE model_versions (
  name           text NOT NULL,
  version        text NOT NULL,
  -- contracts/src/model-update.ts bundleSha256(): SHA-256 of the sorted `sha256sum` listing of the files.
  bundle_sha256  text NOT NULL,
  -- [{ name, sha256, bytes }], sorted by name: the BundleIndex a gateway downloads.
  files          jsonb NOT NULL,
  published_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

CREATE TABLE model_files (
  name     text NOT NULL,
  version  text NOT NULL,
  file     text NOT NULL,
  content  bytea NOT NULL,
  PRIMARY KEY (name, version, file),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE
);

-- One row per command: sent → accepted | refused | rolled_back when the gateway's result arrives.
CREATE TABLE model_updates (
  id              text PRIMARY KEY,
  gateway_id      text NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
  name            text NOT NULL,
  version         text NOT NULL,
  bundle_sha256   text NOT NULL,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  status          text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'accepted', 'refused', 'rolled_back')),
  reason          text,
  detail          text,
  active_version  text,
  duration_ms     integer,
  finished_at     timestamptz,
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);
CREATE INDEX model_updates_gateway_idx ON model_updates (gateway_id, requested_at DESC);

-- The gateway's record shows its latest model update result.
ALTER TABLE gateways ADD COLUMN last_model_update jsonb;
