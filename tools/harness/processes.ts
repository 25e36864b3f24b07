import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { AGENT_NODE_FLAGS } from '../../edge/src/agent/node-flags.ts';
import { waitFor } from './net.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FALLS_DIR = join(ROOT, '..', 'shared', 'datasets', 'falls');

/** Processes this harness started and that still run: killed when the test or demo process exits. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export type LogLine = { msg?: string; level?: number; [k: string]: unknown };

/** A child process of ours whose JSON log lines are collected, for tests and the demo. */
export class Proc {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private listeners = new Set<(l: LogLine) => void>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    createInterface({ input: child.stdout! }).on('line', (raw) => {
      let line: LogLine;
      try {
        line = JSON.parse(raw);
      } catch {
        line = { msg: raw };
      }
      this.lines.push(line);
      for (const l of this.listeners) l(line);
    });
    createInterface({ input: child.stderr! }).on('line', (l) => this.stderr.push(l));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  onLine(fn: (l: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first log line (already seen or to come) that has this message. */
  waitForLog(msg: string | RegExp, timeoutMs = 30_000): Promise<LogLine> {
    const match = (l: LogLine) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg ?? ''));
    return waitFor(
      () => this.lines.find(match),
      timeoutMs,
      `${this.name} log "${msg}" (stderr: ${this.stderr.slice(-5).join(' | ')})`,
    );
  }

  count(msg: string): number {
    return this.lines.filter((l) => l.msg === msg).length;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    return this.exited;
  }

  async kill9(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

const childEnv = (extra: Record<string, string | undefined>) => {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_JSON: '1', ...extra };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
};

export interface CloudProc extends Proc {
  httpUrl: string;
  mqttUrl: string;
}

/**
 * A migrated PGlite data dir, made once per migration set by `anju-cloud migrate` and copied for each new
 * cloud process: initdb costs ~5 s and ~850 MB peak RSS, a copy a few milliseconds.
 */
async function seedPgliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  const migrationsDir = join(ROOT, 'cloud', 'migrations');
  const hash = createHash('sha256');
  for (const f of readdirSync(migrationsDir).sort())
    hash.update(f).update(readFileSync(join(migrationsDir, f)));
  const template = join(tmpdir(), `anju-pglite-datadir-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(template)) {
    const building = `${template}.${process.pid}.${Date.now()}`;
    const child = spawn(process.execPath, ['bin/anju-cloud.js', 'migrate', '--data-dir', building], {
      cwd: ROOT,
      env: childEnv({ DATABASE_URL: undefined }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new Proc('migrate', child);
    const code = await proc.exited;
    if (code !== 0) throw new Error(`anju-cloud migrate failed (${code}): ${proc.stderr.join('\n')}`);
    try {
      renameSync(building, template); // atomic: a parallel worker sees no template or a whole one
    } catch {
      rmSync(building, { recursive: true, force: true }); // another worker won the race
    }
  }
  cpSync(template, dataDir, { recursive: true });
}

/** Starts `anju-cloud serve` on ephemeral ports and waits for its 'cloud ready' line. */
export async function startCloudProcess(o: {
  dataDir: string;
  databaseUrl?: string | undefined;
  apiToken: string;
  mqttPort?: number;
  httpPort?: number;
  env?: Record<string, string>;
  /** A config file (`--config`), e.g. short escalation deadlines for a test. */
  configFile?: string;
  /** Log level of the process; default info. */
  logLevel?: string;
  /** Runs the cloud under this prefix, e.g. `['sh', '-c', 'ulimit -n 20000 && exec "$0" "$@"']`. */
  wrap?: string[];
  /** Node options before the script, e.g. `['--cpu-prof']` (NODE_OPTIONS refuses some of them). */
  nodeArgs?: string[];
}): Promise<CloudProc> {
  if (!o.databaseUrl) await seedPgliteDataDir(o.dataDir);
  const args = [
    ...(o.nodeArgs ?? []),
    'bin/anju-cloud.js',
    'serve',
    '--http-port',
    String(o.httpPort ?? 0),
    '--mqtt-port',
    String(o.mqttPort ?? 0),
    '--data-dir',
    o.dataDir,
    ...(o.configFile ? ['--config', o.configFile] : []),
  ];
  const [cmd, ...argv] = [...(o.wrap ?? []), process.execPath, ...args];
  const child = spawn(cmd!, argv, {
    cwd: ROOT,
    env: childEnv({
      ANJU_API_TOKEN: o.apiToken,
      DATABASE_URL: o.databaseUrl,
      LOG_LEVEL: o.logLevel ?? 'info',
      ...o.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc('cloud', child) as CloudProc;
  const ready = await Promise.race([
    proc.waitForLog('cloud ready', 60_000),
    proc.exited.then((code) => {
      throw new Error(`cloud exited with ${code}: ${proc.stderr.join('\n')}`);
    }),
  ]).catch(async (err: unknown) => {
    await proc.kill9(); // not left running (ports, CPU) when the test gives up on it
    throw err;
  });
  proc.httpUrl = String(ready.httpUrl);
  proc.mqttUrl = String(ready.mqttUrl);
  return proc;
}

export interface GatewayProcOptions {
  dir: string;
  gatewayId: string;
  residentId: string;
  secret: string;
  cloudUrl: string;
  wristbandPath: string;
  confirmWindowMs?: number;
  scorer?: string;
  /** Merged into the written config (e.g. `{ nodeRed: { enabled: false } }`). */
  extraConfig?: Record<string, unknown>;
  /** Runs the agent under this prefix, e.g. `['taskset', '-c', '0']` to pin it to one core. */
  wrap?: string[];
  /** Extra environment, e.g. `{ ANJU_RUNTIME: 'dist' }` to start the compiled agent (bin/runtime.js). */
  env?: Record<string, string>;
}

/** Whether `taskset` is here to pin a process to one core (benches measure edge work on one core). */
export const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `wrap` for startGatewayProcess/startCloudProcess that pins to `core`, or nothing without taskset. */
export const pinnedTo = (core: number): { wrap?: string[] } =>
  hasTaskset ? { wrap: ['taskset', '-c', String(core)] } : {};

/** Writes the gateway's config file and starts `anju-gw run`; resolves when it says 'gateway ready'. */
export async function startGatewayProcess(o: GatewayProcOptions): Promise<Proc> {
  const configFile = join(o.dir, 'gateway.yaml');
  writeFileSync(
    configFile,
    stringify({
      gatewayId: o.gatewayId,
      residentId: o.residentId,
      dataDir: join(o.dir, 'data'),
      localBroker: { port: 0 },
      cloud: { url: o.cloudUrl, secret: o.secret, reconnectMinMs: 100, reconnectMaxMs: 1000 },
      wristband: { device: 'band1', path: o.wristbandPath, reopenMinMs: 50, reopenMaxMs: 500 },
      fall: { confirmWindowMs: o.confirmWindowMs ?? 1000, ...(o.scorer ? { scorer: o.scorer } : {}) },
      ...o.extraConfig,
    }),
    { mode: 0o600 },
  );
  const [cmd, ...args] = [
    ...(o.wrap ?? []),
    process.execPath,
    ...AGENT_NODE_FLAGS, // as the systemd unit runs it
    'bin/anju-gw.js',
    'run',
    '--config',
    configFile,
  ];
  const child = spawn(cmd!, args, {
    cwd: ROOT,
    env: childEnv({ LOG_LEVEL: 'info', ...o.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc('gateway', child);
  try {
    await Promise.race([
      proc.waitForLog('gateway ready', 60_000),
      proc.exited.then((code) => {
        throw new Error(`gateway exited with ${code}: ${proc.stderr.join('\n')}`);
      }),
    ]);
    await proc.waitForLog('wristband receiver open', 10_000);
  } catch (err) {
    await proc.kill9(); // not left running when the test gives up on it
    throw err;
  }
  return proc;
}

/** Plays a recording into the tx end of the pty pair with `anju-gw replay`; resolves with its exit code. */
export async function replay(
  recording: string,
  txPath: string,
  o: {
    speed?: number;
    okAfterImpactS?: number;
    sosAtS?: number;
    /** Press "I'm OK" this long after the gateway's prompt reaches the band (the replay reads the downlink). */
    okAfterPromptS?: number;
    /** Filled with the replay's stderr lines (what the band showed: "band: VIBRATE + BEEP …"). */
    output?: string[];
  } = {},
): Promise<number | null> {
  const args = [
    'bin/anju-gw.js',
    'replay',
    join(FALLS_DIR, recording),
    '--port',
    txPath,
    '--speed',
    String(o.speed ?? 10),
  ];
  if (o.okAfterImpactS !== undefined) args.push('--ok-after-impact', String(o.okAfterImpactS));
  if (o.sosAtS !== undefined) args.push('--sos-at', String(o.sosAtS));
  if (o.okAfterPromptS !== undefined) args.push('--ok-after-prompt', String(o.okAfterPromptS));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc('replay', child);
  const code = await proc.exited;
  o.output?.push(...proc.stderr);
  if (code !== 0) throw new Error(`replay failed (${code}): ${proc.stderr.join('\n')}`);
  return code;
}

/** A JSON client for the cloud's REST API. */
export function apiClient(baseUrl: string, token: string) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as T };
  };
  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body: unknown) => call<T>('POST', path, body),
    put: <T = any>(path: string, body: unknown) => call<T>('PUT', path, body),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
  };
}
