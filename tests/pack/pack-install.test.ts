import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort, waitFor } from '../../tools/harness/net.ts';
import { Proc, ROOT } from '../../tools/harness/processes.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';

const run = promisify(execFile);

// What `npm pack` needs from the checkout: the package's files (package.json "files") and what builds dist/.
// The package is packed from a copy, so its build (prepack → npm run build) never rewrites the checkout's
// dist/ under a test that is starting a bin from it.
const PACK_INPUTS = [
  'package.json',
  'README.md',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin',
  'contracts/src',
  'contracts/schema',
  'edge/src',
  'cloud/src',
  'cloud/migrations',
  'models',
  'flows',
  'tools/build',
  'console',
  'docs/install-pi.md',
];

/** The test runner's environment without npm's script variables (npm test sets npm_config_* for its child). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('npm_') && !k.startsWith('ANJU_') && k !== 'DATABASE_URL') env[k] = v;
  }
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`; // the bins' shebang finds node on PATH
  return { ...env, ...extra };
}

let tmp: string;
let prefix: string;
let installed: string; // <prefix>/lib/node_modules/anju
let tarball: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'anju-pack-'));
  const src = join(tmp, 'src');
  for (const p of PACK_INPUTS) {
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(src, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
  const packed = await run('npm', ['pack', '--pack-destination', tmp], {
    cwd: src,
    env: cleanEnv({}),
    maxBuffer: 64 * 1024 * 1024,
  });
  tarball = join(tmp, packed.stdout.trim().split('\n').at(-1)!);
  prefix = join(tmp, 'prefix');
  mkdirSync(prefix);
  await run('npm', ['install', '-g', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', tarball], {
    cwd: tmp,
    env: cleanEnv({}),
    maxBuffer: 64 * 1024 * 1024,
  });
  installed = join(prefix, 'lib', 'node_modules', 'anju');
  const kb = (path: string) => Number(execFileSync('du', ['-sk', path]).toString().split('\t')[0]);
  console.log(
    `pack: tarball_kb=${kb(tarball)} installed_mb=${(kb(prefix) / 1024).toFixed(0)} ` +
      `(npm install -g --omit=dev, this platform: ${process.platform}-${process.arch})`,
  );
}, 900_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const start = (bin: string, args: string[]) =>
  new Proc(
    bin,
    spawn(join(prefix, 'bin', bin), args, {
      cwd: tmp, // not the checkout: nothing may resolve from the repository
      env: cleanEnv({ LOG_JSON: '1', LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

describe('the npm package (npm pack, then npm install -g into an empty prefix with --omit=dev)', () => {
  it('installs the compiled code and the shipped files, without the sources or the dev dependencies', () => {
    expect(tarball).toMatch(/anju-\d+\.\d+\.\d+\.tgz$/);
    for (const f of [
      'dist/BUILD.json',
      'dist/edge/src/cli/main.js',
      'dist/cloud/src/cli.js',
      'models/fall/model.json',
      'flows/nodes/anju/package.json',
      'cloud/migrations',
      'console/dist/index.html',
    ]) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
    expect(existsSync(join(installed, 'edge', 'src'))).toBe(false);
    for (const dev of ['tsx', 'typescript', 'vitest', '@biomejs']) {
      expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('runs `anju-gw --help`', async () => {
    const { stdout } = await run(join(prefix, 'bin', 'anju-gw'), ['--help'], { cwd: tmp, env: cleanEnv({}) });
    expect(stdout).toContain('Usage: anju-gw');
    expect(stdout).toContain('run the gateway agent');
  });

  it('runs `anju-gw run` from dist/: the shipped fall model and Node-RED flows load, SIGTERM stops it', async () => {
    const dir = join(tmp, 'gw');
    mkdirSync(dir);
    const pty = await startPtyPair(join(dir, 'rx'), join(dir, 'tx'));
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      stringify({
        gatewayId: 'gw-pack',
        residentId: 'res-pack',
        dataDir: join(dir, 'data'),
        localBroker: { port: 0 },
        cloud: { url: 'mqtt://127.0.0.1:1', secret: 'pack-secret-123' }, // no cloud: it retries, as offline
        wristband: { device: 'band1', path: join(dir, 'rx') },
      }),
      { mode: 0o600 },
    );
    const gw = start('anju-gw', ['run', '--config', config]);
    try {
      const ready = await gw.waitForLog('gateway ready', 120_000);
      expect(ready.runtime).toBe('dist');
      expect(gw.lines.find((l) => l.msg === 'fall scorer loaded')).toBeDefined();
      await gw.waitForLog('node-red flows running', 60_000);
      expect(await gw.stop()).toBe(0);
    } finally {
      await gw.kill9();
      await pty.stop();
    }
  });

  it('runs `anju-cloud serve` from dist/ on its embedded defaults and answers /health', async () => {
    const httpPort = await freePort();
    const cloud = start('anju-cloud', [
      'serve',
      '--http-port',
      String(httpPort),
      '--mqtt-port',
      '0',
      '--data-dir',
      join(tmp, 'cloud-data'),
    ]);
    try {
      // Ready when /health says so (the first open of a PGlite data dir runs initdb: seconds).
      const health = await waitFor(
        async () => {
          if (cloud.child.exitCode !== null) throw new Error(`anju-cloud exited: ${cloud.stderr.join('\n')}`);
          const res = await fetch(`http://127.0.0.1:${httpPort}/health`).catch(() => undefined);
          return res?.status === 200 ? res.json() : undefined;
        },
        180_000,
        'anju-cloud /health',
      );
      expect(health).toMatchObject({ status: 'ok', db: { ok: true, kind: 'pglite' }, broker: { ok: true } });
      expect(cloud.lines.find((l) => l.msg === 'cloud ready')?.runtime).toBe('dist');
      // The web console ships built (prepack runs build:console): its page, not the 503 "not built" answer.
      const page = await fetch(`http://127.0.0.1:${httpPort}/console/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script');
      expect(await cloud.stop()).toBe(0);
    } finally {
      await cloud.kill9();
    }
  });
});
