import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

async function freshModule(anjuConfig: string) {
  vi.stubEnv('ANJU_CONFIG', anjuConfig);
  vi.resetModules();
  return import('./config-path.ts');
}

describe('configFileOrDefault', () => {
  afterEach(() => vi.unstubAllEnvs());
  const dir = mkdtempSync(join(tmpdir(), 'anju-config-path-'));

  it('uses the file given on the command line', async () => {
    const m = await freshModule(join(dir, 'absent.yaml'));
    expect(m.configFileOrDefault('/somewhere/else.yaml')).toBe('/somewhere/else.yaml');
  });

  it('falls back to ANJU_CONFIG (the file init wrote) when it exists', async () => {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'gatewayId: gw-1\n');
    const m = await freshModule(file);
    expect(m.DEFAULT_CONFIG_FILE).toBe(file);
    expect(m.configFileOrDefault(undefined)).toBe(file);
    expect(m.READ_CONFIG_HELP).toContain(file);
  });

  it('uses no file when none was given and the default does not exist (environment only)', async () => {
    const m = await freshModule(join(dir, 'absent.yaml'));
    expect(m.configFileOrDefault(undefined)).toBeUndefined();
  });
});
