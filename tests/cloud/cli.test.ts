/** The `anju-cloud` executable as an operator runs it: a real process, real ports, real signals. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/anju-cloud.js');

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, err, exited };
}

async function waitForLine(out: string[], exited: Promise<unknown>, msg: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (;;) {
    const line = out.map((l) => JSON.parse(l)).find((l) => l.msg === msg);
    if (line) return line;
    if (done) throw new Error(`exited before "${msg}"`);
    if (Date.now() > until) throw new Error(`no "${msg}" within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const kill = (c: ChildProcess, sig: NodeJS.Signals) => c.pid !== undefined && c.kill(sig);

describe('anju-cloud CLI', () => {
  it('serves on ephemeral ports, reports them in "cloud ready", and exits 0 on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'anju-cloud-cli-'));
    const p = run(['serve', '--http-port', '0', '--mqtt-port', '0', '--data-dir', dataDir]);
    try {
      const ready = await waitForLine(p.out, p.exited, 'cloud ready');
      expect(ready.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.mqttUrl).not.toMatch(/:1884$/);
      const health = await (await fetch(`${ready.httpUrl}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', db: { kind: 'pglite' } });
      kill(p.child, 'SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.out.some((l) => JSON.parse(l).msg === 'cloud stopped')).toBe(true);
    } finally {
      kill(p.child, 'SIGKILL');
    }

    // Reopening the same data dir finds the schema in place.
    const m = run(['migrate', '--data-dir', dataDir]);
    expect(await m.exited).toBe(0);
    expect(m.out.map((l) => JSON.parse(l).msg)).toContain('schema up to date');
  });

  it('refuses a bad configuration before opening anything, naming every bad key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anju-cloud-cfg-'));
    const file = join(dir, 'cloud.yaml');
    await writeFile(file, 'http:\n  port: 99999\nmqtt:\n  hots: x\n');
    const p = run(['serve', '--config', file], { ANJU_MQTT_PORT: 'many' });
    expect(await p.exited).toBe(2);
    const stderr = p.err.join('');
    expect(stderr).toContain('http.port');
    expect(stderr).toContain('mqtt.hots');
    expect(stderr).toContain('mqtt.port (env ANJU_MQTT_PORT)');
  });

  it('explains itself with --help', async () => {
    const p = run(['serve', '--help']);
    expect(await p.exited).toBe(0);
    const help = p.out.join('\n');
    for (const flag of ['--config', '--http-port', '--mqtt-port', '--data-dir']) expect(help).toContain(flag);
  });
});
