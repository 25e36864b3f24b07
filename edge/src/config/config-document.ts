import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { type Document, parseDocument } from 'yaml';
import type { GatewayConfig } from './gateway.config.ts';
import { ConfigError, loadGatewayConfig } from './load-config.ts';

/**
 * Changes the gateway config file the way a person would: through the `yaml` Document API, so their
 * comments, key order and formatting stay. The result is validated with the agent's own loader (same
 * schema, same secret file) BEFORE it replaces the file: a change that would stop the agent from starting
 * is refused and the file is left as it was. Returns the validated config.
 */
export function editConfigFile(file: string, edit: (doc: Document) => void): Readonly<GatewayConfig> {
  let text: string;
  let mode = 0o644;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o777;
  } catch (err) {
    throw new ConfigError([`cannot read ${file}: ${(err as Error).message}`], file);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError([`not valid YAML: ${doc.errors[0]!.message}`], file);
  edit(doc);
  return writeValidated(file, doc.toString(), mode);
}

/** Writes `text` to `file` if the agent's loader accepts it (checked on a temporary file beside it). */
export function writeValidated(file: string, text: string, mode = 0o644): Readonly<GatewayConfig> {
  // Beside the file, so a relative cloud.secretFile resolves the same way and the rename is atomic.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    const config = loadGatewayConfig(tmp, process.env);
    renameSync(tmp, file);
    return config;
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof ConfigError) throw new ConfigError(err.problems, `${file}, after the change`);
    throw err;
  }
}
