/** `anju-cloud token` as an operator runs it: a real process whose printed token the API accepts. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../cloud/src/auth/index.ts';
import { bearer, JWT_SECRET, startWorld, type World } from './auth-fixture.ts';

const BIN = join(import.meta.dirname, '../../bin/anju-cloud.js');

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('anju-cloud token', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('pglite');
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('prints only the token on stdout, and the API takes it for that role and station', async () => {
    const r = await run(
      ['token', '--role', 'desk', '--station', 'st-a', '--sub', 'desk-cli', '--ttl', '10m'],
      {
        ANJU_JWT_SECRET: JWT_SECRET,
      },
    );
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.stderr).toMatch(/^desk token for desk-cli at station st-a, expires \d{4}-/);
    const own = await w.t.api('GET', `/residents/${w.a.residentId}`, undefined, bearer(token));
    expect(own.status).toBe(200);
    const other = await w.t.api('GET', `/residents/${w.b.residentId}`, undefined, bearer(token));
    expect(other.status).toBe(404);
    const audit = await w.t.db.query("SELECT 1 FROM audit_log WHERE actor = 'desk-cli'");
    expect(audit.rows).toHaveLength(2);
  });

  it('refuses a token it cannot make well with exit code 2, and explains itself with --help', async () => {
    // Two processes at once: each tsx start costs seconds on a busy machine.
    const [refused, help] = await Promise.all([
      run(['token', '--role', 'desk', '--sub', 'x'], { ANJU_JWT_SECRET: JWT_SECRET }),
      run(['token', '--help']),
    ]);
    expect([refused.code, refused.stdout]).toEqual([2, '']);
    expect(refused.stderr).toMatch(/a desk token must name its station/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--role <role>/);
    expect(help.stdout).toMatch(/guardian\s+the cases of the one resident they guard/);
  });

  it.each([
    [{ role: 'desk', sub: 'x' }, { jwtSecret: JWT_SECRET }, /a desk token must name its station/],
    [{ role: 'root', sub: 'x' }, { jwtSecret: JWT_SECRET }, /--role root: expected one of admin, desk/],
    [
      { role: 'admin', sub: 'x', station: 'st-a' },
      { jwtSecret: JWT_SECRET },
      /an admin token has no --station/,
    ],
    [{ role: 'admin', sub: 'x', ttl: '1y' }, { jwtSecret: JWT_SECRET }, /--ttl 1y: expected/],
    [
      { role: 'admin', sub: 'x', ttl: '31d' },
      { jwtSecret: JWT_SECRET },
      /longer than auth\.maxTtlS \(2592000 s\)/,
    ],
    [{ role: 'admin', sub: 'x' }, { jwtSecret: 'short' }, /5 bytes is too short/],
    [{ role: 'admin', sub: 'x' }, undefined, /auth\.jwtSecret \(env ANJU_JWT_SECRET\) is not set/],
  ])('mintToken refuses %j', (o, auth, message) => {
    expect(() => mintToken({ auth }, { ttl: '8h', ...o })).toThrow(message);
  });
});
