import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, enrolHousehold, type Household, heardFrom, ptysFor } from '../../tools/harness/home.ts';
import { freePort, waitFor } from '../../tools/harness/net.ts';
import {
  apiClient,
  type CloudProc,
  type Proc,
  ROOT,
  startCloudProcess,
  startGatewayProcess,
} from '../../tools/harness/processes.ts';
import { cli } from './cli-runner.ts';

const stops: (() => Promise<unknown>)[] = [];
let cloud: CloudProc;
let h: Household;
let gateway: Proc;
let config: string;

beforeAll(async () => {
  cloud = await startCloudProcess({
    dataDir: mkdtempSync(join(tmpdir(), 'anju-cloud-')),
    apiToken: API_TOKEN,
  });
  stops.push(() => cloud.stop());
  h = await enrolHousehold(cloud);
  const pty = await ptysFor(h);
  stops.push(() => pty.stop());
  gateway = await startGatewayProcess({
    ...h,
    cloudUrl: cloud.mqttUrl,
    wristbandPath: h.rx,
    scorer: 'fall-baseline',
    extraConfig: { nodeRed: { enabled: false }, logFile: join(h.dir, 'log', 'agent.log') },
  });
  stops.push(() => gateway.stop());
  config = join(h.dir, 'gateway.yaml');
  await heardFrom(apiClient(cloud.httpUrl, API_TOKEN), h.gatewayId);
});
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('installer commands against a running agent (real processes)', () => {
  it('status: a table of drivers, models, outbox, cloud link; exit 0 when all is well; --json', async () => {
    // The first status may predate the cloud link: wait until the agent says it is connected.
    const ok = await waitFor(
      async () => {
        const r = await cli('status', '-c', config);
        return r.code === 0 && r;
      },
      15_000,
      'status exit 0',
    );
    expect(ok.out).toMatch(/driver band1\s+UP/);
    expect(ok.out).toMatch(/cloud link\s+CONNECTED/);
    expect(ok.out).toMatch(/models\s+fall-threshold@\d/);
    expect(ok.out).toMatch(/outbox\s+0 waiting/);
    expect(ok.out).toMatch(/overall\s+OK/);

    const json = await cli('status', '-c', config, '--json');
    expect(json.code).toBe(0);
    const s = JSON.parse(json.out);
    expect(s).toMatchObject({ gatewayId: h.gatewayId, outbox: { depth: 0 }, cloud: { connected: true } });
    expect(s.drivers[0]).toMatchObject({ id: 'band1', state: 'up' });
    expect(typeof s.rssMb).toBe('number');
  });

  it('test: a synthetic event goes raised → delivered; the cloud opens a test case that notifies nobody', async () => {
    const r = await cli('test', '-c', config);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ raised: the test event is on disk in the outbox {2}\+\d+ ms/);
    expect(r.out).toMatch(/✓ delivered: the cloud stored it \(PUBACK after its commit\) {2}\+\d+ ms/);
    const eventId = /test event (\S+) went end to end/.exec(r.out)?.[1];
    expect(eventId).toBeTruthy();
    const api = apiClient(cloud.httpUrl, API_TOKEN);
    const cases = (await api.get(`/cases?residentId=${h.residentId}`)).body.items as any[];
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ kind: 'device_health', test: true });
    const sms = (await api.get(`/notifications?caseId=${cases[0].id}`)).body.items as any[];
    expect(sms).toHaveLength(0);
  });

  it('devices: serial ports (device nodes where udev is absent, the configured pty) and topics on the local broker', async () => {
    const r = await cli('devices', '-c', config, '--listen-s', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Serial ports:');
    expect(r.out).toMatch(new RegExp(`${h.rx} → /dev/pts/\\d+ {2}configured for wristband band1\n`));
    expect(r.out).toMatch(/Local broker mqtt:\/\/127\.0\.0\.1:\d+, home\/# for 1 s:/);
    expect(r.out).toMatch(/home\/agent\/status\s+\d+ {2}\{"gatewayId":/);
    const noConfig = await cli('devices');
    expect(noConfig.code).toBe(0);
    expect(noConfig.out).not.toContain('Local broker');
  });

  it('logs: the last lines of the agent log file, readable; --follow prints new lines as they come', async () => {
    const r = await cli('logs', '-c', config, '-n', '1000');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO {2}gateway ready/m);
    const two = await cli('logs', '-c', config, '-n', '2', '--json');
    expect(two.out.trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(two.out.trim().split('\n')[0]!)).toHaveProperty('msg');

    const follow = spawn(process.execPath, ['bin/anju-gw.js', 'logs', '-c', config, '-n', '0', '--follow'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise((resolve) => follow.once('exit', resolve));
    try {
      // --follow says nothing when it starts watching, and -n 0 skips what was written before: raise test
      // events until one shows up (the first may come before it watches), rather than guess its start-up time.
      await waitFor(
        async () => {
          expect((await cli('test', '-c', config)).code).toBe(0);
          return waitFor(() => out.includes('test event raised'), 2000).catch(() => false);
        },
        60_000,
        'followed log line',
      );
      expect(out).not.toContain('gateway ready');
    } finally {
      follow.kill('SIGINT');
      await exited;
    }
  });

  it('bad flags and a missing or invalid config: a clear error, exit 2', async () => {
    const bad = await cli('status', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown option '--bogus'");
    const missing = await cli('status', '-c', join(h.dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*nope\.yaml/);
    const n = await cli('logs', '-c', config, '-n', 'many');
    expect(n.code).toBe(2);
    expect(n.err).toContain('--lines must be a whole number');
    const invalid = join(h.dir, 'invalid.yaml');
    writeFileSync(invalid, 'gatewayId: x\n');
    const inv = await cli('status', '-c', invalid);
    expect(inv.code).toBe(2);
    expect(inv.err).toContain('invalid gateway config');
  });

  it('status: exit 3 (degraded) when the cloud link is down; exit 1 once the agent is stopped', async () => {
    await cloud.stop();
    const degraded = await waitFor(
      async () => {
        const r = await cli('status', '-c', config);
        return r.code === 3 && r;
      },
      15_000,
      'status exit 3',
    );
    expect(degraded.out).toMatch(/cloud link\s+DOWN/);
    expect(degraded.out).toMatch(/overall\s+DEGRADED: cloud link is down/);

    await gateway.stop();
    const stopped = await cli('status', '-c', config);
    expect(stopped.code).toBe(1);
    const test = await cli('test', '-c', config, '--local-port', String(await freePort()));
    expect(test.code).toBe(1);
    expect(test.err).toContain('the agent is not running');
    const devices = await cli('devices', '-c', config, '--listen-s', '1');
    expect(devices.code).toBe(1);
    expect(devices.err).toContain('the agent is not running');
    expect(stopped.err).toMatch(
      /the agent is not running \(no status on the local broker at mqtt:\/\/127\.0\.0\.1:\d+/,
    );
  });
});
