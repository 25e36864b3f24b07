import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BundleIndex,
  bundleSha256,
  MAX_BUNDLE_BYTES,
  type ModelUpdateCommand,
  type ModelUpdateReason,
  parseBundleIndex,
  sha256Hex,
} from '../../../contracts/src/index.ts';
import { fsyncDir, INDEX_FILE } from './model-store.ts';

/** Why an update stopped, as the reason code the cloud gets. */
export class ModelUpdateError extends Error {
  constructor(
    readonly reason: ModelUpdateReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DownloadOptions {
  command: ModelUpdateCommand;
  /** Empty folder the files are written into (the caller renames it once the bundle is accepted). */
  dir: string;
  /** The gateway's own MQTT credentials, sent as HTTP Basic: bundles are never served anonymously. */
  username: string;
  password: string;
  /** Per request. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

const MAX_INDEX_BYTES = 64 * 1024;

/**
 * Downloads a bundle and checks it on the way in: the index must name the commanded model and version and
 * its files must make the commanded bundle hash; each file must be exactly the bytes its index entry
 * hashes. Files go to disk only after their hash matched, each fsynced. Throws a ModelUpdateError with
 * the reason; on any throw the caller removes `dir`.
 */
export async function downloadBundle(o: DownloadOptions): Promise<BundleIndex> {
  const { command } = o;
  const indexBytes = await get(o, command.bundleUrl, MAX_INDEX_BYTES);
  const parsed = parseBundleIndex(indexBytes);
  if (!parsed.ok) throw new ModelUpdateError('bad_index', `bundle index: ${parsed.detail}`);
  const index = parsed.value;
  if (index.model.name !== command.model.name || index.model.version !== command.model.version)
    throw new ModelUpdateError(
      'bad_index',
      `index is for ${index.model.name} ${index.model.version}, not ${command.model.name} ${command.model.version}`,
    );
  const names = new Set(index.files.map((f) => f.name));
  if (names.size !== index.files.length || names.has(INDEX_FILE))
    throw new ModelUpdateError('bad_index', 'duplicate or reserved file names in the index');
  // The one check that binds what we fetch to what the cloud's command asked for.
  const computed = bundleSha256(index.files);
  if (computed !== command.bundleSha256)
    throw new ModelUpdateError(
      'bundle_hash_mismatch',
      `bundle hash ${computed.slice(0, 12)}… ≠ commanded ${command.bundleSha256.slice(0, 12)}…`,
    );
  const total = index.files.reduce((n, f) => n + f.bytes, 0);
  if (total > MAX_BUNDLE_BYTES)
    throw new ModelUpdateError('download_failed', `bundle of ${total} bytes is too large`);

  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  for (const f of index.files) {
    const bytes = await get(o, `${command.bundleUrl}/files/${encodeURIComponent(f.name)}`, f.bytes);
    if (bytes.byteLength !== f.bytes || sha256Hex(bytes) !== f.sha256)
      throw new ModelUpdateError('file_hash_mismatch', `${f.name} does not match its hash`);
    writeDurable(join(o.dir, f.name), bytes);
  }
  writeDurable(join(o.dir, INDEX_FILE), Buffer.from(`${JSON.stringify(index)}\n`));
  fsyncDir(o.dir);
  return index;
}

function writeDurable(path: string, bytes: Uint8Array): void {
  try {
    const fd = openSync(path, 'w', 0o644);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new ModelUpdateError('storage_failed', `cannot write ${path}`, { cause: err });
  }
}

/** GET with Basic auth, a timeout, and a cap on the body (a longer body is refused without reading it all). */
async function get(o: DownloadOptions, url: string, maxBytes: number): Promise<Buffer> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, {
      headers: {
        authorization: `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`,
      },
      redirect: 'error', // a redirect could take the credentials elsewhere
      signal,
    });
  } catch (err) {
    throw new ModelUpdateError('download_failed', `GET ${pathOf(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ModelUpdateError('download_failed', `GET ${pathOf(url)}: HTTP ${res.status}`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body ?? []) {
      n += chunk.byteLength;
      if (n > maxBytes) {
        // Leaving the loop cancels the body. More bytes than the index promised is a different file, not a slow one.
        throw new ModelUpdateError(
          maxBytes === MAX_INDEX_BYTES ? 'download_failed' : 'file_hash_mismatch',
          `GET ${pathOf(url)}: more than ${maxBytes} bytes`,
        );
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof ModelUpdateError) throw err;
    throw new ModelUpdateError('download_failed', `GET ${pathOf(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return Buffer.concat(chunks);
}

/** The path only: never log a query string (a signed URL's signature would be a secret). */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return '(bad url)';
  }
};
