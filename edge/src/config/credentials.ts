import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml, stringify } from 'yaml';
import { UserError } from '../errors.ts';

/** What `anju-gw init` got from the cloud and keeps apart from the config: the only file with a secret. */
export const GatewayCredentialsSchema = Type.Object({
  gatewayId: Type.String({ minLength: 1 }),
  secret: Type.String({ minLength: 8 }),
  residentId: Type.Optional(Type.String()),
  stationId: Type.Optional(Type.String()),
  enrolledAt: Type.Optional(Type.String()),
  cloudApiUrl: Type.Optional(Type.String()),
});
export type GatewayCredentials = Static<typeof GatewayCredentialsSchema>;

/** Owner read/write only, like an ssh key: the MQTT password is in it. */
export const CREDENTIALS_MODE = 0o600;

export class CredentialsError extends UserError {
  constructor(file: string, problem: string) {
    super('EDGE_CREDENTIALS_INVALID', `credentials file ${file}: ${problem}`);
  }
}

/**
 * Reads the credentials file. Refuses one that others may read (group/other bits set), as ssh does with
 * keys: a secret that leaked to other users of the gateway must be replaced, not used.
 */
export function readCredentials(file: string): GatewayCredentials {
  let text: string;
  try {
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0)
      throw new CredentialsError(
        file,
        `mode ${mode.toString(8).padStart(4, '0')} lets other users read the secret; run chmod 600 ${file}`,
      );
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof CredentialsError) throw err;
    throw new CredentialsError(file, `cannot read it: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new CredentialsError(file, `not valid YAML: ${(err as Error).message}`);
  }
  if (!Value.Check(GatewayCredentialsSchema, parsed)) {
    const first = [...Value.Errors(GatewayCredentialsSchema, parsed)][0];
    throw new CredentialsError(file, `${first?.path.slice(1) || '(root)'}: ${first?.message ?? 'invalid'}`);
  }
  return parsed;
}

/**
 * Writes the credentials with mode 0600 from the first byte (created with that mode, then chmod'ed in case
 * the umask or an old file interfered), fsynced and renamed into place so a power cut leaves the old file
 * or the new one, never half of one. Returns the mode the file ended up with.
 */
export function writeCredentials(file: string, creds: GatewayCredentials): number {
  const text = `# Anju gateway credentials, written by \`anju-gw init\`. Keep this file mode 0600: it holds the\n# gateway's MQTT password. Losing it means enrolling again with a new code.\n${stringify(creds)}`;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', CREDENTIALS_MODE);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, CREDENTIALS_MODE);
  renameSync(tmp, file);
  return statSync(file).mode & 0o777;
}
