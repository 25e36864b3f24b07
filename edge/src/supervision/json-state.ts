import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A small JSON state file written atomically (temp file + rename: a power cut leaves the old or the new
 * file, never half of one). A missing or unreadable file reads as undefined; the caller starts fresh.
 */
export function readJsonState(path: string, onBad: (err: unknown) => void): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // first start
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    onBad(err);
    return undefined;
  }
}

export function writeJsonState(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}
