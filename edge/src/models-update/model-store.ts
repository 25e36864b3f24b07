// Where updated models live on the gateway, and which one is active:
//   <dataDir>/models/<name>/<version>/           a verified bundle + bundle-index.json (the index it was checked against)
//   <dataDir>/models/<name>/<version>.staging/   a download in progress (removed on failure, renamed when verified)
//   <dataDir>/models/<name>/active.json          { version, previous? } — written atomically
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  type BundleIndex,
  bundleSha256,
  ModelVersion,
  parseBundleIndex,
  sha256Hex,
} from '../../../contracts/src/index.ts';

export const INDEX_FILE = 'bundle-index.json';
const ACTIVE_FILE = 'active.json';
const STAGING_SUFFIX = '.staging';

const ActiveRecord = Type.Object({
  version: ModelVersion,
  /** The version that was live before, kept on disk for a rollback (absent: the shipped model). */
  previous: Type.Optional(ModelVersion),
  activatedAt: Type.String(),
});
export type ActiveRecord = Static<typeof ActiveRecord>;
const isActiveRecord = TypeCompiler.Compile(ActiveRecord);

export class ModelStoreError extends Error {
  readonly code = 'EDGE_MODEL_STORE';
}

export const modelRoot = (dataDir: string, name: string) => join(dataDir, 'models', name);
export const versionDir = (dataDir: string, name: string, version: string) =>
  join(modelRoot(dataDir, name), version);
export const stagingDir = (dataDir: string, name: string, version: string) =>
  `${versionDir(dataDir, name, version)}${STAGING_SUFFIX}`;

/** Writes a file whole or not at all: temp file, fsync, rename, fsync of the folder. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(join(path, '..'));
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The active record, or undefined when there is none (or it is unreadable: the shipped model is used). */
export function readActive(dataDir: string, name: string): ActiveRecord | undefined {
  const file = join(modelRoot(dataDir, name), ACTIVE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isActiveRecord.Check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writeActive(dataDir: string, name: string, record: ActiveRecord): void {
  mkdirSync(modelRoot(dataDir, name), { recursive: true });
  writeFileAtomic(join(modelRoot(dataDir, name), ACTIVE_FILE), `${JSON.stringify(record)}\n`);
}

/**
 * Checks an installed (or staged) bundle again from disk: every file against the index kept with it, and
 * the index against its bundle hash. Returns the index; throws when anything differs (disk corruption,
 * a hand-edited file).
 */
export function verifyBundleDir(dir: string): BundleIndex {
  let parsed: ReturnType<typeof parseBundleIndex>;
  try {
    parsed = parseBundleIndex(readFileSync(join(dir, INDEX_FILE)));
  } catch (err) {
    throw new ModelStoreError(`${dir}: no readable ${INDEX_FILE}`, { cause: err });
  }
  if (!parsed.ok) throw new ModelStoreError(`${dir}/${INDEX_FILE}: ${parsed.detail}`);
  const index = parsed.value;
  if (bundleSha256(index.files) !== index.bundleSha256)
    throw new ModelStoreError(`${dir}: files do not make the bundle hash`);
  for (const f of index.files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, f.name));
    } catch (err) {
      throw new ModelStoreError(`${dir}: ${f.name} missing`, { cause: err });
    }
    if (sha256Hex(bytes) !== f.sha256) throw new ModelStoreError(`${dir}: ${f.name} does not match its hash`);
  }
  return index;
}

/** Removes every version folder of `name` except `keep`, and any staging folder left by a crash. */
export function pruneVersions(dataDir: string, name: string, keep: readonly string[]): string[] {
  const root = modelRoot(dataDir, name);
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || keep.includes(entry.name)) continue;
    rmSync(join(root, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}

/**
 * The folder of the model to load at start-up: the active version if it still verifies, else the
 * previous one if that does, else undefined (the shipped model). Says why through `warn`.
 */
export function resolveActiveDir(
  dataDir: string,
  name: string,
  warn: (msg: string, fields: Record<string, unknown>) => void,
): { dir: string; version: string } | undefined {
  const active = readActive(dataDir, name);
  if (!active) return undefined;
  for (const version of [active.version, active.previous]) {
    if (!version) continue;
    const dir = versionDir(dataDir, name, version);
    try {
      verifyBundleDir(dir);
      return { dir, version };
    } catch (err) {
      warn('installed model does not verify; not loaded', {
        model: name,
        version,
        err: (err as Error).message,
      });
    }
  }
  return undefined;
}
