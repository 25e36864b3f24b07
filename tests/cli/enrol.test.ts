import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadGatewayConfig } from '../../edge/src/config/load-config.ts';
import { startWristbandSim } from '../../tools/harness/devices/wristband.sim.ts';
import { API_TOKEN, heardFrom } from '../../tools/harness/home.ts';
import { freePort, waitFor } from '../../tools/harness/net.ts';
import { apiClient, type CloudProc, Proc, ROOT, startCloudProcess } from '../../tools/harness/processes.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';
import { cli } from './cli-runner.ts';

/**
 * The installer's day against a live cloud and gateway (real processes, real sockets, socat ptys): the
 * desk makes a code over the API → `anju-gw init` enrols and writes the config and 0600 credentials → the
 * agent starts from that config → `pair wristband` on a pty fed by the wristband simulator → `test` →
 * `status`; and every refusal on the way with its exact exit code and message.
 */
const stops: (() => Promise<unknown>)[] = [];
const dir = mkdtempSync(join(tmpdir(), 'anju-enrol-'));
const config = join(dir, 'etc', 'gateway.yaml');
const credentials = join(dir, 'etc', 'credentials.yaml');
const gatewayName = `gw-enrol-${randomBytes(3).toString('hex')}`;
let cloud: CloudProc;
let api: ReturnType<typeof apiClient>;
let residentId: string;
let agent: Proc | undefined;

const makeCode = async (body: Record<string, unknown> = {}) => {
  const r = await api.post('/enrolment-codes', { stationId: 'jingan', residentId, ...body });
  expect(r.status).toBe(201);
  return r.body as { code: string; expiresAt: string };
};
/** `anju-gw init` with a code; the cloud, config and data dir default to this suite's. */
const initAt = (
  code: string,
  at: { cloudUrl?: string; config?: string; dataDir?: string },
  ...more: string[]
) =>
  cli(
    'init',
    '--cloud-url',
    at.cloudUrl ?? cloud.httpUrl,
    '--code',
    code,
    '--config',
    at.config ?? config,
    '--data-dir',
    at.dataDir ?? join(dir, 'data'),
    ...more,
  );
const init = (code: string, ...more: string[]) => initAt(code, {}, '--local-port', '0', ...more);

async function startAgent(): Promise<Proc> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['bin/anju-gw.js', 'run', '--config', config], {
    cwd: ROOT,
    env: { ...process.env, LOG_JSON: '1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc('gateway', child);
  await Promise.race([
    heardFrom(api, gatewayName, startedAt, 60_000),
    proc.exited.then((code) => {
      throw new Error(`gateway exited with ${code}: ${proc.stderr.join('\n')}`);
    }),
  ]);
  return proc;
}

beforeAll(async () => {
  cloud = await startCloudProcess({ dataDir: join(dir, 'cloud'), apiToken: API_TOKEN });
  stops.push(() => cloud.stop());
  api = apiClient(cloud.httpUrl, API_TOKEN);
  expect((await api.post('/stations', { id: 'jingan', name: '静安寺街道社工站' })).status).toBe(201);
  const resident = await api.post('/residents', { name: '王秀英', stationId: 'jingan', language: 'zh-CN' });
  residentId = resident.body.id;
  await api.post(`/residents/${residentId}/guardians`, {
    name: '李明',
    phone: '+8613900000011',
    language: 'zh-CN',
  });
});
afterAll(async () => {
  await agent?.stop();
  for (const s of stops.splice(0).reverse()) await s();
});

describe('anju-gw init: enrolment with a one-time code (live cloud process)', () => {
  it('bad flags and missing values: a clear error naming the flag, exit 2, nothing written', async () => {
    // Independent refusals: run side by side (each is a tsx start-up).
    const [bogus, missing, ftp, name, port] = await Promise.all([
      cli('init', '--bogus'),
      cli('init', '--config', config),
      cli('init', '--cloud-url', 'ftp://x', '--code', 'A', '--config', config),
      init('AAAA-BBBB-CCCC', '--gateway-name', 'bad name!'),
      init('AAAA-BBBB-CCCC', '--local-port', 'x'),
    ]);
    expect(bogus.code).toBe(2);
    expect(bogus.err).toContain("unknown option '--bogus'");
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      'anju-gw: missing --cloud-url / 缺少 --cloud-url (no terminal to ask on / 没有终端可提问)\n',
    );
    expect(ftp.code).toBe(2);
    expect(ftp.err).toContain('--cloud-url must be an http:// or https:// URL (got "ftp://x")');
    expect(name.code).toBe(2);
    expect(name.err).toContain('--gateway-name: letters, digits and _.- only');
    expect(port.code).toBe(2);
    expect(port.err).toContain('--local-port must be a whole number');
    expect(existsSync(config)).toBe(false);
  });

  it('an unreachable cloud: exit 4 saying so', async () => {
    const r = await initAt('AAAA-BBBB-CCCC', { cloudUrl: `http://127.0.0.1:${await freePort()}` });
    expect(r.code).toBe(4);
    expect(r.err).toMatch(
      /Cannot reach the cloud at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check the URL and the network\./,
    );
  });

  it('a wrong code: exit 5; an expired one: exit 6; a station-only code without --resident: exit 2', async () => {
    const wrong = await init('AAAA-BBBB-CCCC');
    expect(wrong.code).toBe(5);
    expect(wrong.err).toBe(
      'anju-gw: 注册码无效，请与值班台核对。 / The enrolment code is not valid: check it with the duty desk.\n',
    );
    const short = await makeCode({ ttlS: 1 });
    await waitFor(() => Date.now() > Date.parse(short.expiresAt) + 200, 5000, 'code expiry');
    const expired = await init(short.code);
    expect(expired.code).toBe(6);
    expect(expired.err).toBe(
      'anju-gw: 注册码已过期，请向值班台申请新的注册码。 / The enrolment code has expired: ask the duty desk for a new one.\n',
    );
    const stationOnly = await api.post('/enrolment-codes', { stationId: 'jingan' });
    const noResident = await init(stationOnly.body.code);
    expect(noResident.code).toBe(2);
    expect(noResident.err).toContain('say which resident with --resident <id>');
    expect(existsSync(config)).toBe(false);
    expect(existsSync(credentials)).toBe(false);
  });

  it('a good code: writes a config the agent accepts and credentials with mode 0600; the secret is only there', async () => {
    const { code } = await makeCode();
    const r = await init(code.toLowerCase(), '--gateway-name', gatewayName);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `已注册 / Enrolled: gateway ${gatewayName}, resident ${residentId}, station jingan`,
    );
    expect(r.out).toContain(`credentials  ${credentials} (mode 0600)`);

    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    const creds = parseYaml(readFileSync(credentials, 'utf8'));
    expect(creds).toMatchObject({ gatewayId: gatewayName, residentId, stationId: 'jingan' });
    const text = readFileSync(config, 'utf8');
    expect(text).not.toContain(creds.secret);
    expect(text).toMatch(/^# Anju gateway config, written by `anju-gw init`/);
    expect(text).toContain(
      'secretFile: credentials.yaml # the MQTT password (mode 0600), from the enrolment',
    );
    const loaded = loadGatewayConfig(config, {});
    expect(loaded).toMatchObject({
      gatewayId: gatewayName,
      residentId,
      cloud: { url: cloud.mqttUrl, secret: creds.secret },
    });

    const gw = await api.get(`/gateways/${gatewayName}`);
    expect(gw.body).toMatchObject({ gatewayId: gatewayName, residentId });
  });

  it('on a terminal, asks in 中文/English for what is missing (answers typed ahead are kept) and enrols', async () => {
    const { code } = await makeCode();
    const ttyConfig = join(dir, 'tty', 'gateway.yaml');
    // util-linux `script` runs init on a real pseudo-terminal; our pipe is what the installer types.
    const child = spawn(
      'script',
      ['-qfec', `${process.execPath} bin/anju-gw.js init --config ${ttyConfig} --local-port 0`, '/dev/null'],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await waitFor(() => out.includes('云端地址 / Cloud URL: '), 60_000, 'the first prompt');
    child.stdin.write(`${cloud.httpUrl}\r${code}\r${join(dir, 'tty', 'data')}\r`);
    await waitFor(
      () => out.includes('网关名称（留空由云端分配） / Gateway name (blank: the cloud picks one): '),
      30_000,
      'name prompt',
    );
    expect(out).toContain('注册码（值班台提供） / Enrolment code (from the duty desk): ');
    expect(out).toContain('数据目录 / Data directory [/var/lib/anju]: ');
    child.stdin.write('\r');
    expect(await exited).toBe(0);
    child.stdin.end();
    expect(out).toMatch(/Enrolled: gateway gw-[0-9a-f]{10}, resident /);
    expect(statSync(join(dir, 'tty', 'credentials.yaml')).mode & 0o777).toBe(0o600);
    expect(loadGatewayConfig(ttyConfig, {}).dataDir).toBe(join(dir, 'tty', 'data'));
  });

  it('the same code again: exit 7; init over an enrolled gateway without --force: exit 9', async () => {
    const { code } = await makeCode();
    const again = await initAt(code, { config: join(dir, 'b', 'gateway.yaml'), dataDir: join(dir, 'data2') });
    expect(again.code).toBe(0);
    const reused = await initAt(code, {
      config: join(dir, 'c', 'gateway.yaml'),
      dataDir: join(dir, 'data3'),
    });
    expect(reused.code).toBe(7);
    expect(reused.err).toContain('The enrolment code has already been used (each code works once)');
    // --force enrols again with a new code: new credentials, the config's own lines and comments kept.
    const bConfig = join(dir, 'b', 'gateway.yaml');
    const oldId = parseYaml(readFileSync(bConfig, 'utf8')).gatewayId;
    const forced = await initAt(
      (await makeCode()).code,
      { config: bConfig, dataDir: join(dir, 'data2') },
      '--force',
    );
    expect(forced.code).toBe(0);
    const newId = parseYaml(readFileSync(join(dir, 'b', 'credentials.yaml'), 'utf8')).gatewayId;
    expect(newId).not.toBe(oldId);
    expect(readFileSync(bConfig, 'utf8')).toMatch(
      new RegExp(`^# Anju gateway config[^]*gatewayId: ${newId}\n`),
    );
    expect(loadGatewayConfig(bConfig, {}).gatewayId).toBe(newId);
    const before = readFileSync(credentials, 'utf8');
    const twice = await init((await makeCode()).code);
    expect(twice.code).toBe(9);
    expect(twice.err).toContain(`This gateway is already enrolled (${credentials} exists): add --force`);
    expect(readFileSync(credentials, 'utf8')).toBe(before);
  });
});

describe('pair, cameras, test and status against the agent started from that config', () => {
  let band: { rx: string; tx: string };
  let snapshot: Server;
  let snapshotUrl: string;
  let rtspUrl: string;

  beforeAll(async () => {
    agent = await startAgent();
    band = { rx: join(dir, 'band-rx'), tx: join(dir, 'band-tx') };
    const pty = await startPtyPair(band.rx, band.tx);
    stops.push(() => pty.stop());
    const sim = await startWristbandSim(band.tx, { batteryPct: 87, bpm: 72 });
    stops.unshift(() => sim.close()); // closed before its pty

    snapshot = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    });
    await new Promise<void>((r) => snapshot.listen(0, '127.0.0.1', r));
    snapshotUrl = `http://127.0.0.1:${(snapshot.address() as { port: number }).port}/snapshot.jpg`;
    const rtsp = createTcpServer((s) =>
      s.once('data', () =>
        s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\r\n\r\n'),
      ),
    );
    await new Promise<void>((r) => rtsp.listen(0, '127.0.0.1', r));
    rtspUrl = `rtsp://admin:pw@127.0.0.1:${(rtsp.address() as { port: number }).port}/stream1`;
    stops.push(async () => {
      snapshot.close();
      rtsp.close();
    });
  });

  it('pair wristband refuses a silent port (exit 10) and one sending garbage (exit 11), saving nothing', async () => {
    const quiet = { rx: join(dir, 'quiet-rx'), tx: join(dir, 'quiet-tx') };
    const pty = await startPtyPair(quiet.rx, quiet.tx);
    try {
      const silent = await cli('pair', 'wristband', '-c', config, '--port', quiet.rx, '--timeout-s', '2');
      expect(silent.code).toBe(10);
      expect(silent.err).toContain(
        `${quiet.rx} sent nothing in 2 s: is the receiver plugged in, and the band near it and charged? Nothing was saved.`,
      );
      const { openDevicePort } = await import('../../tools/harness/devices/serial-device.ts');
      const noise = await openDevicePort(quiet.tx, () => {}, 115_200);
      const feeding = setInterval(() => void noise.write(Buffer.from('AT+OK\r\n'.repeat(20))), 100);
      try {
        const garbage = await cli('pair', 'wristband', '-c', config, '--port', quiet.rx, '--timeout-s', '2');
        expect(garbage.code).toBe(11);
        expect(garbage.err).toMatch(
          /sent \d+ bytes but not one valid wristband frame: wrong baud rate, or not a wristband receiver/,
        );
      } finally {
        clearInterval(feeding);
        await noise.close();
      }
    } finally {
      await pty.stop();
    }
    expect(parseYaml(readFileSync(config, 'utf8')).wristband).toBeUndefined();
    const missing = await cli('pair', 'wristband', '-c', config, '--port', join(dir, 'no-such-tty'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no serial port');
  });

  it('pair wristband reads real frames from the simulated band and saves it, keeping the config comments', async () => {
    const r = await cli('pair', 'wristband', '-c', config, '--port', band.rx, '--frames', '12');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/frames {8}1[2-9]|frames {8}[2-9]\d/);
    expect(r.out).toContain('accelerometer 50 Hz');
    expect(r.out).toContain('heart rate    72 bpm');
    expect(r.out).toContain('battery       87 %');
    // The band answered the "I'm OK" prompt (downlink 0x82) with its ack: a fall's confirm window will reach the elder.
    expect(r.out).toMatch(/"I'm OK" prompt answered in \d+ ms \(done\)/);
    expect(r.out).toContain(`Saved wristband band1 on ${band.rx}`);
    const text = readFileSync(config, 'utf8');
    expect(text).toMatch(/^# Anju gateway config, written by `anju-gw init`/);
    expect(text).toContain('# the MQTT password (mode 0600), from the enrolment');
    expect(parseYaml(text).wristband).toEqual({ device: 'band1', path: band.rx, baudRate: 115200 });
  });

  it('pair camera probes an HTTP snapshot and an RTSP OPTIONS answer, and refuses an unreachable one (exit 4)', async () => {
    const http = await cli('pair', 'camera', '-c', config, '--room', 'livingroom', '--url', snapshotUrl);
    expect(http.code).toBe(0);
    expect(http.out).toContain('camera livingroom: HTTP 200, image/jpeg, 4 bytes');
    const rtsp = await cli('pair', 'camera', '-c', config, '--room', 'kitchen', '--url', rtspUrl);
    expect(rtsp.code).toBe(0);
    expect(rtsp.out).toContain('camera kitchen: RTSP/1.0 200 OK; methods: OPTIONS, DESCRIBE, SETUP, PLAY');
    const gone = await cli(
      'pair',
      'camera',
      '-c',
      config,
      '--room',
      'hall',
      '--url',
      `rtsp://127.0.0.1:${await freePort()}/x`,
    );
    expect(gone.code).toBe(4);
    expect(gone.err).toMatch(
      /Cannot reach the camera at rtsp:\/\/127\.0\.0\.1:\d+\/x: ECONNREFUSED\. Nothing was saved\./,
    );
    expect(parseYaml(readFileSync(config, 'utf8')).cameras).toEqual([
      { room: 'livingroom', url: snapshotUrl, enabled: true },
      { room: 'kitchen', url: rtspUrl, enabled: true },
    ]);
  });

  it('after a restart the agent reads the band: test goes end to end and status is all well', async () => {
    await agent?.stop();
    agent = await startAgent();
    await agent.waitForLog('wristband receiver open', 10_000);
    const t = await cli('test', '-c', config);
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/✓ delivered: the cloud stored it \(PUBACK after its commit\) {2}\+\d+ ms/);
    const ok = await waitFor(
      async () => {
        const r = await cli('status', '-c', config);
        return r.code === 0 && r;
      },
      15_000,
      'status exit 0',
    );
    expect(ok.out).toMatch(new RegExp(`gateway\\s+${gatewayName}`));
    expect(ok.out).toMatch(/driver band1\s+UP/);
    // The test's RTSP stand-in answers OPTIONS only: the camera is read, fails, and says why.
    expect(ok.out).toMatch(/camera kitchen\s+ON, (STARTING|DOWN) {2}frames=0 faces=0/);
    expect(ok.out).toMatch(/cloud link\s+CONNECTED/);
    expect(ok.out).toMatch(/overall\s+OK/);
  });

  it('cameras off/on: saved in the config, applied by the running agent at once, shown by status', async () => {
    const off = await cli('cameras', 'off', 'kitchen', '-c', config, '--timeout-s', '30'); // a hang guard on a loaded machine
    expect(off.err).toBe('');
    expect(off.code).toBe(0);
    expect(off.out).toContain('kitchen: 摄像头已关闭（隐私）/ camera OFF (privacy), saved in');
    expect(off.out).toContain('The running agent applied it (status reports camera kitchen OFF)');
    const status = await cli('status', '-c', config);
    expect(status.out).toMatch(/camera kitchen\s+OFF \(privacy: not opened\)/);
    expect(status.out).toMatch(/camera livingroom\s+ON/);
    expect(parseYaml(readFileSync(config, 'utf8')).cameras[1]).toEqual({
      room: 'kitchen',
      url: rtspUrl,
      enabled: false,
    });
    await agent!.waitForLog('camera privacy on: camera not read');

    const on = await cli('cameras', 'on', 'kitchen', '-c', config, '--timeout-s', '30');
    expect(on.code).toBe(0);
    expect((await cli('status', '-c', config, '--json')).out).toContain(
      '"room": "kitchen",\n      "enabled": true',
    );

    const unknown = await cli('cameras', 'off', 'attic', '-c', config);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('No camera for room "attic"');
    const sideways = await cli('cameras', 'sideways', 'kitchen', '-c', config);
    expect(sideways.code).toBe(2);
    expect(sideways.err).toContain('say on or off (got "sideways")');
  });
});
