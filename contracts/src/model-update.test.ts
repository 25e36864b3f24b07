import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleSha256, sha256Hex } from './model-update.ts';
import { parseCommand, parseCommandResult } from './validate.ts';

const FALL_DIR = join(import.meta.dirname, '../../models/fall');
const FILES = ['manifest.json', 'model.json', 'self-test.json', 'weights.bin'];

describe('canonical bundle hash', () => {
  it('is what coreutils gives for the sorted sha256sum listing of the files', () => {
    const files = FILES.map((name) => ({ name, sha256: sha256Hex(readFileSync(join(FALL_DIR, name))) }));
    const shell = execFileSync('sh', ['-c', `sha256sum ${FILES.join(' ')} | sha256sum`], { cwd: FALL_DIR })
      .toString()
      .split(' ')[0];
    expect(bundleSha256(files)).toBe(shell);
  });

  it('does not depend on the order files are listed in, and changes with any file', () => {
    const a = { name: 'a.json', sha256: 'a'.repeat(64) };
    const b = { name: 'b.bin', sha256: 'b'.repeat(64) };
    expect(bundleSha256([a, b])).toBe(bundleSha256([b, a]));
    expect(bundleSha256([a, { ...b, sha256: 'c'.repeat(64) }])).not.toBe(bundleSha256([a, b]));
    expect(bundleSha256([a, { ...b, name: 'c.bin' }])).not.toBe(bundleSha256([a, b]));
  });
});

describe('model_update on the wire', () => {
  const command = {
    schema: 1,
    id: '0190a6f2-1d2c-7000-8000-000000000001',
    type: 'model_update',
    model: { name: 'fall-model', version: '2.0.1' },
    bundleSha256: 'a'.repeat(64),
    bundleUrl: 'https://cloud.example/gateway-models/fall-model/2.0.1',
  };
  it('parses as a Command; a path-like version or a non-http URL does not', () => {
    expect(parseCommand(JSON.stringify(command)).ok).toBe(true);
    expect(
      parseCommand(JSON.stringify({ ...command, model: { name: 'fall-model', version: '../x' } })).ok,
    ).toBe(false);
    expect(parseCommand(JSON.stringify({ ...command, bundleUrl: 'file:///etc/passwd' })).ok).toBe(false);
    expect(parseCommand(JSON.stringify({ ...command, bundleSha256: 'A'.repeat(64) })).ok).toBe(false);
  });
  it('a result names an outcome and a known reason code', () => {
    const result = {
      schema: 1,
      gatewayId: 'gw-1',
      commandId: command.id,
      type: 'model_update',
      outcome: 'refused',
      reason: 'bundle_hash_mismatch',
      model: command.model,
      activeVersion: '2.0.0',
      finishedAt: '2026-11-23T04:00:00.000Z',
      durationMs: 12,
    };
    expect(parseCommandResult(JSON.stringify(result)).ok).toBe(true);
    expect(parseCommandResult(JSON.stringify({ ...result, reason: 'because' })).ok).toBe(false);
  });
});
