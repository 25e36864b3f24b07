/**
 * A throw-away Mosquitto 2.x for tests and benches: Debian's `mosquitto` (installed by .ci/run) on a free
 * loopback port with its own config, persistence and auth files in a temp dir. Never the system broker.
 * It can be stopped and started again on the same port and persistence (a broker restart fault).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { BIND_CLIENT_IDS_TO_USERS } from '../../cloud/src/mqtt/mosquitto-config.ts';
import { freePort, waitFor } from './net.ts';

export const hasMosquitto = (() => {
  try {
    execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // `mosquitto -h` exits 3 after printing its usage; only a missing binary is ENOENT.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

export interface TestMosquitto {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Broker log lines (stdout/stderr). */
  readonly log: string[];
  /** SIGHUP: re-read the password file and ACL. */
  reload(): void;
  /** SIGTERM (Mosquitto saves its persistence file) and wait for the exit. */
  stop(): Promise<void>;
  /** Start again on the same port, config and persistence. */
  start(): Promise<void>;
  /** Stop and remove the temp dir. */
  close(): Promise<void>;
}

/**
 * `authConf` is a file with `password_file`/`acl_file` lines (e.g. anju-auth.conf from
 * `anju-cloud mosquitto-config`), included as is. The settings below are the ones the cloud's delivery
 * guarantee needs from any Mosquitto it runs behind (see the README's "Many homes" section).
 */
export async function startMosquitto(o: {
  authConfFile: string;
  /** false: client ids NOT bound to users (for a test of anonymous clients, which have no user name). */
  bindClientIds?: boolean;
}): Promise<TestMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'anju-mosquitto-'));
  const port = await freePort();
  const confFile = join(dir, 'mosquitto.conf');
  await writeFile(
    confFile,
    [
      `listener ${port} 127.0.0.1`,
      // Every client id is its user name: no gateway can take a cloud session or another gateway's.
      ...(o.bindClientIds === false ? [] : [BIND_CLIENT_IDS_TO_USERS]),
      // Started as root, Mosquitto would drop to the `mosquitto` user, which cannot read our 0600 files.
      `user ${userInfo().username}`,
      'persistence true',
      `persistence_location ${dir}/`,
      // A QoS 1 message beyond max_queued_messages is DROPPED for that session: room for a long backlog.
      // (Not 0 = "unlimited": Mosquitto 2.0.17 and 2.0.22 fixed bugs in exactly that setting.)
      'max_queued_messages 10000000',
      'log_dest stderr', // unbuffered: stdout to a pipe reaches us in 4 KiB blocks, late
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information', // connects ("New client connected … as <id>") and takeovers ("already connected")
      'log_timestamp_format %H:%M:%S',
      `include_dir ${join(o.authConfFile, '..')}`,
      '',
    ].join('\n'),
  );
  const log: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const c = spawn('mosquitto', ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (b: Buffer) => log.push(...String(b).trimEnd().split('\n')));
    c.stderr?.on('data', (b: Buffer) => log.push(...String(b).trimEnd().split('\n')));
    exited = new Promise((r) => c.once('exit', () => r()));
    const dead = exited.then(() => {
      throw new Error(`mosquitto exited at start: ${log.slice(-5).join(' | ')}`);
    });
    await Promise.race([
      dead,
      waitFor(
        () => canConnect(port),
        10_000,
        `mosquitto listening on ${port} (${log.slice(-3).join(' | ')})`,
      ),
    ]);
    dead.catch(() => {});
  }

  await start();
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    log,
    reload: () => child?.kill('SIGHUP'),
    async stop() {
      child?.kill('SIGTERM');
      await exited;
    },
    start,
    async close() {
      child?.kill('SIGTERM');
      await exited;
      process.off('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
