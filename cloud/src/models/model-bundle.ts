import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BundleIndex,
  bundleSha256,
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_FILE_BYTES,
  sha256Hex,
} from '../../../contracts/src/index.ts';
import { UserError } from '../errors.ts';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const VERSION = /^[0-9]+(\.[0-9]+)*(-[A-Za-z0-9.]+)?$/;
const FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Every bundle carries its model's self-test: a gateway refuses to make a model live without one. */
const REQUIRED = ['manifest.json', 'model.json', 'self-test.json'];

const invalid = (message: string) => new UserError('CLOUD_MODEL_BUNDLE_INVALID', message, 400);

function json(files: ReadonlyMap<string, Buffer>, name: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(files.get(name)!.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw invalid(`${name} is not a JSON object`);
}

/**
 * Checks an uploaded bundle (the folder format of models/<name>/: manifest.json naming the model and its
 * version, model.json in the tfjs layers format, the weight files it names, self-test.json) and computes
 * its index: each file's SHA-256 and the canonical bundle hash. Throws a 400 naming the first problem.
 */
export function indexBundle(files: ReadonlyMap<string, Buffer>): BundleIndex {
  let total = 0;
  for (const [name, bytes] of files) {
    if (!FILE.test(name)) throw invalid(`file name "${name}" is not allowed`);
    if (bytes.byteLength > MAX_BUNDLE_FILE_BYTES)
      throw invalid(`${name} is larger than ${MAX_BUNDLE_FILE_BYTES} bytes`);
    total += bytes.byteLength;
  }
  if (total > MAX_BUNDLE_BYTES) throw invalid(`the bundle is larger than ${MAX_BUNDLE_BYTES} bytes`);
  for (const r of REQUIRED) if (!files.has(r)) throw invalid(`${r} missing`);
  const manifest = json(files, 'manifest.json');
  const { name, version } = manifest;
  if (typeof name !== 'string' || !NAME.test(name)) throw invalid('manifest.json: name missing or malformed');
  if (typeof version !== 'string' || !VERSION.test(version) || version.length > 32)
    throw invalid('manifest.json: version missing or malformed (dotted numbers, optional -suffix)');
  const model = json(files, 'model.json') as { weightsManifest?: { paths?: unknown }[] };
  const paths = (Array.isArray(model.weightsManifest) ? model.weightsManifest : []).flatMap((g) =>
    Array.isArray(g?.paths) ? g.paths : [],
  );
  if (paths.length === 0) throw invalid('model.json names no weight files');
  for (const p of paths)
    if (typeof p !== 'string' || !files.has(p))
      throw invalid(`model.json names weights "${String(p)}" not in the upload`);
  json(files, 'self-test.json');

  const entries = [...files]
    .map(([file, bytes]) => ({ name: file, sha256: sha256Hex(bytes), bytes: bytes.byteLength }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { model: { name, version }, bundleSha256: bundleSha256(entries), files: entries };
}

/**
 * The files of a model folder in the repository's format (models/fall/): manifest.json, model.json, the
 * weights it names and self-test.json — not the model card or anything else lying there.
 */
export function readBundleFolder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const read = (name: string) => files.set(name, readFileSync(join(dir, name)));
  for (const r of REQUIRED) read(r);
  const model = JSON.parse(files.get('model.json')!.toString('utf8')) as {
    weightsManifest?: { paths?: string[] }[];
  };
  for (const p of (model.weightsManifest ?? []).flatMap((g) => g.paths ?? [])) if (FILE.test(p)) read(p);
  return files;
}
