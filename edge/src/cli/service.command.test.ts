import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'anju-service-'));
const config = join(dir, 'my gateway.yaml');
writeFileSync(
  config,
  'gatewayId: gw-1\nresidentId: r-1\ndataDir: /var/lib/anju\ncloud: { url: "mqtt://cloud:1883", secret: "0123456789" }\n',
);
const run = (...args: string[]) => main(['node', 'anju-gw', ...args]);

afterEach(() => vi.restoreAllMocks());

describe('anju-gw service install', () => {
  it('--dry-run prints a unit that runs the agent with the config, restarted on failure', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await run('service', 'install', '-c', config, '--user', 'gw', '--dry-run')).toBe(0);
    const unit = out.mock.calls.map((c) => String(c[0])).join('');
    expect(unit).toContain('User=gw\n');
    expect(unit).toContain('Restart=on-failure\n');
    expect(unit).toMatch(
      /^ExecStart=\S+node\S* --max-semi-space-size=2 \S+\/bin\/anju-gw\.js run --config "\S+\/my gateway\.yaml"$/m,
    );
    expect(unit).toContain('WantedBy=multi-user.target');
  });

  it('writes the unit to --output', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const output = join(dir, 'anju-gw.service');
    expect(await run('service', 'install', '-c', config, '-o', output)).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('User=anju\n');
  });

  it('an invalid config or an unwritable path: exit 2 and 1 with a readable error', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await run('service', 'install', '-c', join(dir, 'none.yaml'), '--dry-run')).toBe(2);
    expect(await run('service', 'install', '-c', config, '-o', join(dir, 'no', 'such', 'dir', 'x'))).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/cannot write .*choose --output/);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run('service', 'install')).toBe(2); // --config is required
  });
});
