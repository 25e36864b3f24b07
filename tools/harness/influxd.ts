/**
 * A throw-away InfluxDB 1.x for tests: Debian's `influxd` (installed by .ci/run) on free loopback ports,
 * with its meta/data/wal in a temp dir, stopped and removed afterwards. Nothing depends on a system service.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

export const hasInfluxd = (() => {
  try {
    execFileSync('influxd', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TestInfluxd {
  readonly url: string;
  /** InfluxQL over the v1 HTTP API, the way Grafana's InfluxDB datasource asks (epoch=ms). */
  query(db: string, q: string): Promise<InfluxSeries[]>;
  stop(): Promise<void>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export async function startInfluxd(): Promise<TestInfluxd> {
  const dir = await mkdtemp(join(tmpdir(), 'anju-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[continuous_queries]
  enabled = false
`;
  await writeFile(join(dir, 'influxd.conf'), config);
  const child: ChildProcess = spawn('influxd', ['-config', join(dir, 'influxd.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (b: Buffer) => stderr.push(String(b)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${httpPort}`;

  const until = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.status === 204,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`influxd did not start:\n${stderr.join('').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    async query(db, q) {
      const body = new URLSearchParams({ db, q, epoch: 'ms' });
      const res = await fetch(`${url}/query`, { method: 'POST', body });
      const json = (await res.json()) as {
        results?: { series?: InfluxSeries[]; error?: string }[];
        error?: string;
      };
      const err = json.error ?? json.results?.find((r) => r.error)?.error;
      if (!res.ok || err) throw new Error(`InfluxQL failed (${res.status}): ${err ?? ''}\n${q}`);
      return json.results?.flatMap((r) => r.series ?? []) ?? [];
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
