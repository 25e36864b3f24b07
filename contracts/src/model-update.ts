// Model updates from the cloud (issue 6): the `model_update` command, the bundle a gateway downloads for
// it, the canonical bundle hash both sides compute, and the result the gateway publishes back.
import { createHash } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';

const SCHEMA_VERSION = 1; // = EVENT_SCHEMA_VERSION (events.ts imports this file, so not imported from there)

const Sha256 = (description: string) =>
  Type.String({ pattern: '^[0-9a-f]{64}$', description: `${description} (lower-case hex)` });

/** A model's name, as the scorer reports it (`fall-model`). */
export const ModelName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' });
/** A version: dotted numbers, optionally with a suffix (`2.0.1`, `2.1.0-rc1`); a folder name on the gateway. */
export const ModelVersion = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[0-9]+(\\.[0-9]+)*(-[A-Za-z0-9.]+)?$',
});
/** A file of a bundle: a plain name, no folders, not hidden (it becomes a file name on the gateway). */
export const BundleFileName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
});

/** Largest single file and whole bundle a gateway accepts (the shipped fall model is ~130 KB). */
export const MAX_BUNDLE_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
export const MAX_BUNDLE_FILES = 16;

/**
 * The cloud → gateway command: fetch this version of this model, check it against `bundleSha256`, load
 * it, run its self-test and make it live. The cloud never sends weights over MQTT, only where to get them.
 */
export const ModelUpdateCommand = Type.Object(
  {
    schema: Type.Literal(SCHEMA_VERSION),
    id: Type.String({
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
      description: 'command id (UUID); the result names it',
    }),
    type: Type.Literal('model_update'),
    model: Type.Object({ name: ModelName, version: ModelVersion }, { additionalProperties: false }),
    bundleSha256: Sha256('canonical bundle hash: see bundleSha256()'),
    bundleUrl: Type.String({
      maxLength: 512,
      pattern: '^https?://',
      description:
        "the bundle's index (BundleIndex JSON); files are at <bundleUrl>/files/<name>. Fetched with the gateway's own MQTT credentials (HTTP Basic)",
    }),
  },
  { $id: 'ModelUpdateCommand', additionalProperties: false },
);
export type ModelUpdateCommand = Static<typeof ModelUpdateCommand>;

export const BundleFile = Type.Object(
  {
    name: BundleFileName,
    sha256: Sha256('of the file bytes'),
    bytes: Type.Integer({ minimum: 0, maximum: MAX_BUNDLE_FILE_BYTES }),
  },
  { additionalProperties: false },
);
export type BundleFile = Static<typeof BundleFile>;

/** What `bundleUrl` answers: the files of the bundle with their hashes, and the bundle hash they make. */
export const BundleIndex = Type.Object(
  {
    model: Type.Object({ name: ModelName, version: ModelVersion }, { additionalProperties: false }),
    bundleSha256: Sha256('canonical bundle hash of `files`'),
    files: Type.Array(BundleFile, { minItems: 1, maxItems: MAX_BUNDLE_FILES }),
  },
  { $id: 'BundleIndex', additionalProperties: false },
);
export type BundleIndex = Static<typeof BundleIndex>;

/**
 * The canonical bundle hash: SHA-256 over the `sha256sum` listing of the bundle's files — one line
 * `<file sha256 hex><two spaces><file name>\n` per file, sorted by name (byte order). The same value comes
 * out of `cd models/fall && sha256sum manifest.json model.json self-test.json weights.bin | sha256sum`
 * (names in sorted order), so an operator can check a bundle with coreutils alone. The model's name and
 * version are inside manifest.json, so they are covered too.
 */
export function bundleSha256(files: readonly Pick<BundleFile, 'name' | 'sha256'>[]): string {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const listing = sorted.map((f) => `${f.sha256}  ${f.name}\n`).join('');
  return createHash('sha256').update(listing, 'utf8').digest('hex');
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * How a model update ended on the gateway:
 * - `accepted`: verified, loaded, self-tested and live (or it already was: reason `already_active`);
 * - `refused`: nothing was loaded — the download or a check failed, nothing changed;
 * - `rolled_back`: verified, but it failed to load or disagreed with its self-test; the previous model stayed live.
 */
export const ModelUpdateOutcome = Type.Union(
  [Type.Literal('accepted'), Type.Literal('refused'), Type.Literal('rolled_back')],
  { $id: 'ModelUpdateOutcome' },
);
export type ModelUpdateOutcome = Static<typeof ModelUpdateOutcome>;

export const MODEL_UPDATE_REASONS = [
  'swapped', // accepted: the new version is live
  'already_active', // accepted: that version was already live
  'unknown_model', // refused: no scorer of that name runs on this gateway
  'bad_url', // refused: the bundle URL is not on the cloud's host (or not https over an mqtts link)
  'download_failed', // refused: HTTP error, timeout, too large
  'bad_index', // refused: the index does not match the contract or the command (name, version)
  'bundle_hash_mismatch', // refused: the index's files do not make the command's bundle hash
  'file_hash_mismatch', // refused: a downloaded file does not match its hash in the index
  'bad_bundle', // refused: files missing or manifest.json naming another model/version
  'storage_failed', // refused: the gateway could not write the bundle to disk
  'load_failed', // rolled_back: tfjs could not load the model
  'self_test_failed', // rolled_back: the model disagreed with its self-test windows
] as const;
export type ModelUpdateReason = (typeof MODEL_UPDATE_REASONS)[number];

/** Gateway → cloud on `gw/<id>/cmd_result`: the outcome of one command. */
export const CommandResult = Type.Object(
  {
    schema: Type.Literal(SCHEMA_VERSION),
    gatewayId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
    commandId: Type.String({
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    }),
    type: Type.Literal('model_update'),
    outcome: ModelUpdateOutcome,
    reason: Type.Union(MODEL_UPDATE_REASONS.map((r) => Type.Literal(r))),
    detail: Type.Optional(Type.String({ maxLength: 300, description: 'human detail; never secrets' })),
    model: Type.Object({ name: ModelName, version: ModelVersion }, { additionalProperties: false }),
    /** The version live on the gateway after the command (the new one, or the one that stayed). */
    activeVersion: Type.String({ minLength: 1, maxLength: 32 }),
    finishedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    durationMs: Type.Integer({ minimum: 0 }),
  },
  { $id: 'CommandResult', additionalProperties: false },
);
export type CommandResult = Static<typeof CommandResult>;
