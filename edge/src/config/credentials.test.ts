import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editConfigFile } from './config-document.ts';
import { readCredentials, writeCredentials } from './credentials.ts';
import { ConfigError, loadGatewayConfig } from './load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'creds-'));
const creds = { gatewayId: 'gw-1', secret: 'a-secret-of-32-characters-123456' };

describe('gateway credentials file', () => {
  it('is written with mode 0600 even under a permissive umask, and read back', () => {
    const file = join(dir, 'c1.yaml');
    const old = process.umask(0);
    try {
      expect(writeCredentials(file, creds)).toBe(0o600);
    } finally {
      process.umask(old);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCredentials(file)).toEqual(creds);
  });

  it('is refused when others may read it, naming the fix', () => {
    const file = join(dir, 'c2.yaml');
    writeCredentials(file, creds);
    chmodSync(file, 0o644);
    expect(() => readCredentials(file)).toThrow(
      `mode 0644 lets other users read the secret; run chmod 600 ${file}`,
    );
  });

  it('gives the config its secret through cloud.secretFile (relative to the config), for that gateway only', () => {
    writeCredentials(join(dir, 'credentials.yaml'), creds);
    const config = (id: string) =>
      `gatewayId: ${id}\nresidentId: r\ndataDir: /tmp/x\ncloud: { url: "mqtt://h:1", secretFile: credentials.yaml }\n`;
    writeFileSync(join(dir, 'ok.yaml'), config('gw-1'));
    expect(loadGatewayConfig(join(dir, 'ok.yaml'), {}).cloud.secret).toBe(creds.secret);
    expect(
      loadGatewayConfig(join(dir, 'ok.yaml'), { ANJU_CLOUD_SECRET: 'from-the-environment' }).cloud.secret,
    ).toBe('from-the-environment');
    writeFileSync(join(dir, 'other.yaml'), config('gw-2'));
    expect(() => loadGatewayConfig(join(dir, 'other.yaml'), {})).toThrow(
      'holds the credentials of gateway gw-1, not gw-2',
    );
  });
});

describe('editing the config file', () => {
  it('keeps comments and order, and refuses a change the agent would not start with, leaving the file alone', () => {
    const file = join(dir, 'edit.yaml');
    const text =
      '# the flat of Mrs Wang\ngatewayId: gw-1 # as enrolled\nresidentId: r\ndataDir: /tmp/x\ncloud: { url: "mqtt://h:1", secret: "0123456789" }\n';
    writeFileSync(file, text);
    editConfigFile(file, (doc) =>
      doc.set('cameras', doc.createNode([{ room: 'hall', url: 'http://cam/snap.jpg' }])),
    );
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith('# the flat of Mrs Wang\ngatewayId: gw-1 # as enrolled\n')).toBe(true);
    expect(loadGatewayConfig(file, {}).cameras).toEqual([
      { room: 'hall', url: 'http://cam/snap.jpg', enabled: true },
    ]);

    expect(() => editConfigFile(file, (doc) => doc.setIn(['cameras', 0, 'url'], 'ftp://nope'))).toThrow(
      ConfigError,
    );
    expect(readFileSync(file, 'utf8')).toBe(after);
  });
});
