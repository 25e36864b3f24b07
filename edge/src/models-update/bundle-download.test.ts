import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BundleIndex,
  bundleSha256,
  type ModelUpdateCommand,
  sha256Hex,
} from '../../../contracts/src/index.ts';
import { downloadBundle, ModelUpdateError } from './bundle-download.ts';
import { verifyBundleDir } from './model-store.ts';

// A real HTTP server on loopback plays the cloud; each test says what it answers.
const files = new Map([
  ['manifest.json', Buffer.from('{"name":"m","version":"1.0.1"}')],
  ['weights.bin', Buffer.alloc(1000, 7)],
]);
const entries = [...files].map(([name, b]) => ({ name, sha256: sha256Hex(b), bytes: b.byteLength }));
const goodIndex: BundleIndex = {
  model: { name: 'm', version: '1.0.1' },
  bundleSha256: bundleSha256(entries),
  files: entries,
};

let server: Server;
let base = '';
let answer: (
  path: string,
  auth: string | undefined,
) => { status: number; body?: Buffer | string; headers?: Record<string, string> };
beforeAll(async () => {
  server = createServer((req, res) => {
    const a = answer(req.url ?? '', req.headers.authorization);
    res.writeHead(a.status, a.headers ?? {});
    res.end(a.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway-models/m/1.0.1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const honest =
  (index: BundleIndex = goodIndex) =>
  (path: string) =>
    path.endsWith('/1.0.1')
      ? { status: 200, body: JSON.stringify(index) }
      : { status: 200, body: files.get(decodeURIComponent(path.split('/files/')[1] ?? '')) ?? '' };

const command = (over: Partial<ModelUpdateCommand> = {}): ModelUpdateCommand => ({
  schema: 1,
  id: '0190a6f2-1d2c-7000-8000-000000000001',
  type: 'model_update',
  model: { name: 'm', version: '1.0.1' },
  bundleSha256: goodIndex.bundleSha256,
  bundleUrl: base,
  ...over,
});

async function attempt(cmd: ModelUpdateCommand) {
  const dir = join(mkdtempSync(join(tmpdir(), 'anju-dl-')), 'm', '1.0.1.staging');
  try {
    const index = await downloadBundle({
      command: cmd,
      dir,
      username: 'gw-1',
      password: 'secret-1',
      timeoutMs: 5000,
    });
    return { index, dir };
  } catch (err) {
    expect(err).toBeInstanceOf(ModelUpdateError);
    return { reason: (err as ModelUpdateError).reason, message: (err as Error).message, dir };
  }
}

describe('downloadBundle', () => {
  it('downloads with the gateway credentials and keeps files that verify again from disk', async () => {
    const auths: (string | undefined)[] = [];
    answer = (path, auth) => {
      auths.push(auth);
      return honest()(path);
    };
    const { index, dir } = await attempt(command());
    expect(index).toEqual(goodIndex);
    expect(auths.every((a) => a === `Basic ${Buffer.from('gw-1:secret-1').toString('base64')}`)).toBe(true);
    expect(verifyBundleDir(dir).bundleSha256).toBe(goodIndex.bundleSha256);
  });

  it('refuses an index whose files do not make the commanded bundle hash, before fetching any file', async () => {
    const fetched: string[] = [];
    const forged = {
      ...goodIndex,
      files: [...entries.slice(0, 1), { ...entries[1]!, sha256: 'f'.repeat(64) }],
    };
    forged.bundleSha256 = bundleSha256(forged.files); // consistent in itself, not what the command says
    answer = (path) => {
      fetched.push(path);
      return honest(forged)(path);
    };
    const r = await attempt(command());
    expect(r.reason).toBe('bundle_hash_mismatch');
    expect(fetched).toEqual(['/gateway-models/m/1.0.1']);
    expect(existsSync(r.dir) ? readdirSync(r.dir) : []).toEqual([]);
  });

  it('refuses a file that differs from its hash, or is longer than the index says', async () => {
    answer = (path) =>
      path.endsWith('weights.bin') ? { status: 200, body: Buffer.alloc(1000, 8) } : honest()(path);
    expect((await attempt(command())).reason).toBe('file_hash_mismatch');
    answer = (path) =>
      path.endsWith('weights.bin') ? { status: 200, body: Buffer.alloc(5000, 7) } : honest()(path);
    expect((await attempt(command())).reason).toBe('file_hash_mismatch');
  });

  it('refuses an index for another version, HTTP errors and redirects (they could carry the credentials away)', async () => {
    answer = honest({ ...goodIndex, model: { name: 'm', version: '1.0.2' } });
    expect((await attempt(command())).reason).toBe('bad_index');
    answer = () => ({ status: 200, body: 'not json' });
    expect((await attempt(command())).reason).toBe('bad_index');
    answer = () => ({ status: 401 });
    expect(await attempt(command())).toMatchObject({ reason: 'download_failed', message: /HTTP 401/ });
    answer = () => ({ status: 302, headers: { location: 'http://example.invalid/steal' } });
    expect((await attempt(command())).reason).toBe('download_failed');
  });
});
