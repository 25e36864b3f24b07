/**
 * A private PostgreSQL cluster for one test: initdb into a temp dir, a postmaster of its own on a free
 * loopback port, stopped and started at will (a database restart fault). The machine's shared server
 * (DATABASE_URL, used by every suite in parallel) is never touched.
 *
 * Built for speed, not for surviving the machine: fsync and full_page_writes are OFF and shared_buffers
 * is small, so an OS crash could corrupt it (no matter for a throw-away cluster). A crash of PostgreSQL
 * itself (kill -9, immediate stop) loses nothing committed and replays the WAL as in production: the WAL
 * is still written to the kernel at each commit. synchronous_commit stays ON for that reason — off, a
 * commit returns before its WAL leaves PostgreSQL's shared memory, and a kill -9 of the postmaster then
 * really loses acknowledged transactions (a first version of the restart fault test lost a case so).
 *
 * initdb and the postmaster refuse to run as root: as root, every PostgreSQL binary runs as the
 * `postgres` system user (spawned with its uid/gid, as runuser would, but with the postmaster as our
 * direct child so kill -9 hits it and not a wrapper), in a dir chowned to it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitFor } from './net.ts';

const run = promisify(execFile);
const RUN_AS = 'postgres';
const asRoot = () => process.getuid?.() === 0;

/** The uid/gid to spawn PostgreSQL binaries with: `postgres`'s when we are root, else our own. */
let identity: { uid: number; gid: number } | undefined;
async function runIdentity(): Promise<{ uid?: number; gid?: number }> {
  if (!asRoot()) return {};
  identity ??= {
    uid: Number((await run('id', ['-u', RUN_AS])).stdout.trim()),
    gid: Number((await run('id', ['-g', RUN_AS])).stdout.trim()),
  };
  return identity;
}

/** `/usr/lib/postgresql/<newest version>/bin` (Debian), else the dir of `pg_config --bindir`. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** Why this machine cannot run a private cluster (a skip reason), or '' when it can. */
export function postgresClusterUnavailable(): string {
  if (!postgresBinDir()) return 'PostgreSQL server binaries (initdb, pg_ctl) not found';
  if (
    asRoot() &&
    !readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((l) => l.startsWith(`${RUN_AS}:`))
  )
    return `running as root and there is no '${RUN_AS}' user to run PostgreSQL as`;
  return '';
}

export type StopMode = 'fast' | 'immediate';

export interface PostgresCluster {
  readonly port: number;
  /** Superuser URL of the cluster's `postgres` database (trust auth on loopback). */
  readonly url: string;
  readonly dataDir: string;
  /** The server's own log (stderr of the postmaster). */
  log(): string;
  /** Starts the postmaster and waits until it accepts connections (retries while a killed one's backends linger). */
  start(): Promise<void>;
  /**
   * `pg_ctl stop -m fast` (sessions terminated, a clean shutdown checkpoint) or `-m immediate` (every
   * process quits at once, no checkpoint: crash recovery at the next start).
   */
  stop(mode: StopMode): Promise<void>;
  /** SIGKILL to the postmaster alone, as the OOM killer would; waits until its backends have gone. */
  kill9(): Promise<void>;
  /**
   * One statement on a connection of its own, closed after: a test's probe that a restart cannot leave
   * with a dead client (a long-lived pg.Client would emit 'error' when the server goes away).
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** PID of the running postmaster, or undefined. */
  pid(): number | undefined;
  /** Stops it (immediate) and removes the data dir. */
  close(): Promise<void>;
}

/** Runs a PostgreSQL binary to its end, as `postgres` when we are root. */
async function pgRun(bin: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(bin, args, { cwd: tmpdir(), ...(await runIdentity()) });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** initdb's own settings for a fast, throw-away cluster (see the file comment). */
const SETTINGS = (port: number) => [
  `port = ${port}`,
  "listen_addresses = '127.0.0.1'",
  "unix_socket_directories = ''", // TCP only: no socket path length or permission issues
  'fsync = off',
  'full_page_writes = off',
  'shared_buffers = 16MB',
  'max_connections = 60',
  "log_destination = 'stderr'",
  'log_min_messages = warning',
];

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binDir = postgresBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found');
  const root = mkdtempSync(join(tmpdir(), 'anju-pgcluster-'));
  const dataDir = join(root, 'data');
  const who = await runIdentity();
  if (who.uid !== undefined && who.gid !== undefined) chownSync(root, who.uid, who.gid);
  await pgRun(join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  const port = await freePort();
  await appendFile(join(dataDir, 'postgresql.conf'), `\n# anju test cluster\n${SETTINGS(port).join('\n')}\n`);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const logLines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  /** One attempt: the postmaster in the foreground (a child of ours), resolved once it accepts. */
  async function startOnce(): Promise<void> {
    const c = spawn(join(binDir!, 'postgres'), ['-D', dataDir], {
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...who,
    });
    child = c;
    const collect = (b: Buffer) => logLines.push(...String(b).trimEnd().split('\n'));
    c.stdout?.on('data', collect);
    c.stderr?.on('data', collect);
    exited = new Promise((r) => c.once('exit', () => r()));
    const dead = exited.then(() => {
      throw new Error(`postgres exited at start: ${logLines.slice(-3).join(' | ')}`);
    });
    dead.catch(() => {});
    await Promise.race([dead, waitFor(() => accepts(url), 60_000, `postgres on ${port} accepting`)]);
  }

  const cluster: PostgresCluster = {
    port,
    url,
    dataDir,
    log: () => logLines.join('\n'),
    async start() {
      // After a kill -9 the old backends may still hold the shared memory for a moment: start refuses
      // ("pre-existing shared memory block is still in use") until they are gone.
      const until = Date.now() + 30_000;
      for (;;) {
        try {
          return await startOnce();
        } catch (err) {
          if (Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop(mode) {
      if (!cluster.pid()) return;
      await pgRun(join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
      await exited;
    },
    async kill9() {
      const pid = cluster.pid();
      if (!pid) return;
      const children = childrenOf(pid);
      process.kill(pid, 'SIGKILL');
      await exited;
      // Backends notice the postmaster's death and quit; wait for that, as a supervisor's restart would.
      await waitFor(() => children.every((p) => !alive(p)), 30_000, 'backends of the killed postmaster gone');
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      c.on('error', () => {}); // the server going away mid-probe: the query rejects, that is enough
      try {
        await c.connect();
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end().catch(() => {});
      }
    },
    pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    async close() {
      process.off('exit', onExit);
      if (cluster.pid()) await cluster.stop('immediate').catch(() => cluster.kill9());
      rmSync(root, { recursive: true, force: true });
    },
  };
  const onExit = () => {
    const pid = cluster.pid();
    if (pid) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', onExit);
  await cluster.start();
  return cluster;
}

async function accepts(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** PIDs whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name in parentheses, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {}
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
