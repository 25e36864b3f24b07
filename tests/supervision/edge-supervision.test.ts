/**
 * Issue 16, gateway half, through real processes: `anju-gw run` reading a wristband receiver on a socat pty
 * (the band simulator on the far end), a DL/T 645 meter simulator on another pty, and zigbee2mqtt played by
 * a real MQTT client on the gateway's local broker; the cloud is a recording MQTT broker. Each fault gives
 * one `device_health` event (raised) within its interval and one (cleared) on recovery; a heart rate out of
 * the desk's limits gives one `vitals` event; an agent restart neither repeats nor forgets an open fault.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../contracts/src/index.ts';
import { dlt645SimState, startDlt645MeterSim } from '../../tools/harness/devices/dlt645-meter.sim.ts';
import { startWristbandSim } from '../../tools/harness/devices/wristband.sim.ts';
import { startRecordingBroker, waitFor } from '../../tools/harness/net.ts';
import { type Proc, ROOT, startGatewayProcess } from '../../tools/harness/processes.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';

const GW = 'gw-sup-1';
const RESIDENT = 'res-sup-1';
const METER = '202312345678';
const dir = mkdtempSync(join(tmpdir(), 'anju-sup-'));
const band = { rx: join(dir, 'band-rx'), tx: join(dir, 'band-tx') };
const meterLine = { gw: join(dir, 'meter-gw'), dev: join(dir, 'meter-dev') };

const supervision = {
  checkIntervalMs: 200,
  band: {
    notWornAfterS: 10,
    outOfRangeAfterS: 5,
    receiverGoneAfterS: 2,
    batteryLowPct: 15,
    batteryClearPct: 25,
  },
  sensors: { offlineAfterS: 1 },
  meters: { silentAfterS: 5 },
  vitals: { sustainedS: 30, maxGapS: 10 },
};
const extraConfig = {
  nodeRed: { enabled: false },
  home: { enabled: false },
  supervision,
  devices: [
    {
      type: 'zigbee2mqtt',
      devices: [
        { friendlyName: 'kitchen/pir', device: 'kitchen-pir', room: 'kitchen', role: 'motion' },
        { friendlyName: 'front door', device: 'front-door', room: 'hall', role: 'front_door' },
      ],
    },
    {
      type: 'dlt645',
      id: 'meters',
      path: meterLine.gw,
      reopenMinMs: 50,
      reopenMaxMs: 500,
      pollIntervalMs: 1000,
      responseTimeoutMs: 200,
      meters: [{ address: METER, device: 'elec-main', room: 'hall', role: 'electricity_main' }],
    },
  ],
};

type Broker = Awaited<ReturnType<typeof startRecordingBroker>>;
let cloud: Broker;
let gateway: Proc;
let bandPty: Awaited<ReturnType<typeof startPtyPair>>;
let sim: Awaited<ReturnType<typeof startWristbandSim>>;
let z2m: mqtt.MqttClient;
const meterState = dlt645SimState({ [METER]: { energyKwh: 100, powerW: 500 } });
const stops: (() => Promise<unknown>)[] = [];
let vitalsHighSince = 0;

const events = (): AlertEvent[] =>
  cloud.received
    .filter((p) => p.topic === `gw/${GW}/events`)
    .map((p) => JSON.parse(p.payload.toString()) as AlertEvent);
const faults = (fault: string, device: string, state?: 'raised' | 'cleared') =>
  events().filter(
    (e) =>
      e.kind === 'device_health' &&
      e.evidence.fault === fault &&
      e.evidence.device === device &&
      (state === undefined || e.evidence.faultState === state),
  );
/** Waits for the n-th event of this (fault, device, state); returns how long it took, in s. */
async function expectFault(
  fault: string,
  device: string,
  state: 'raised' | 'cleared',
  n = 1,
  timeoutMs = 20_000,
) {
  const t0 = Date.now();
  await waitFor(
    () => faults(fault, device, state).length >= n,
    timeoutMs,
    `${fault} ${device} ${state} #${n}`,
  );
  return (Date.now() - t0) / 1000;
}

async function startGateway(): Promise<Proc> {
  return startGatewayProcess({
    dir,
    gatewayId: GW,
    residentId: RESIDENT,
    secret: 'sup-secret-0123',
    cloudUrl: `mqtt://127.0.0.1:${cloud.port}`,
    wristbandPath: band.rx,
    scorer: 'fall-baseline',
    extraConfig,
  });
}

function localBrokerUrl(): string {
  const rt = JSON.parse(readFileSync(join(dir, 'data', 'agent.runtime.json'), 'utf8')) as {
    localBrokerPort: number;
  };
  return `mqtt://127.0.0.1:${rt.localBrokerPort}`;
}

beforeAll(async () => {
  cloud = await startRecordingBroker();
  stops.push(() => cloud.close());
  bandPty = await startPtyPair(band.rx, band.tx);
  stops.push(() => bandPty.stop());
  const meterPty = await startPtyPair(meterLine.gw, meterLine.dev);
  stops.push(() => meterPty.stop());
  const meterSim = await startDlt645MeterSim(meterLine.dev, meterState);
  stops.push(() => meterSim.close());
  sim = await startWristbandSim(band.tx, { worn: true });
  stops.push(() => sim.close());
  gateway = await startGateway();
  stops.push(() => gateway.stop());
  z2m = await mqtt.connectAsync(localBrokerUrl(), { clientId: 'zigbee2mqtt' });
  stops.push(() => z2m.endAsync(true));
  await waitFor(() => cloud.received.some((p) => p.topic === `gw/${GW}/health`), 20_000, 'first heartbeat');
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
});

describe('gateway supervision through real processes', () => {
  it('says how often it sends a heartbeat, for the cloud to call it silent', () => {
    const hb = cloud.received.find((p) => p.topic === `gw/${GW}/health`);
    expect(JSON.parse(hb!.payload.toString()).heartbeatIntervalS).toBe(60);
  });

  it('raises receiver_gone when the band receiver port goes away and clears it when it is back', async () => {
    await sim.close();
    await bandPty.stop(); // the USB dongle pulled: both pty ends vanish
    const took = await expectFault('receiver_gone', 'band1', 'raised');
    expect(took).toBeLessThan(supervision.band.receiverGoneAfterS + 60);
    const raised = faults('receiver_gone', 'band1', 'raised')[0]!;
    expect(raised).toMatchObject({ severity: 'warning', residentId: RESIDENT, gatewayId: GW });
    bandPty = await startPtyPair(band.rx, band.tx);
    sim = await startWristbandSim(band.tx, { worn: true });
    await expectFault('receiver_gone', 'band1', 'cleared');
    expect(faults('receiver_gone', 'band1')).toHaveLength(2);
  });

  it('raises band_out_of_range when the band frames stop while the receiver is up, cleared by the next frame', async () => {
    await sim.close(); // the receiver stays plugged in (the pty stays): the band is just not heard
    const took = await expectFault('band_out_of_range', 'band1', 'raised');
    expect(took).toBeLessThan(supervision.band.outOfRangeAfterS + 60);
    expect(faults('receiver_gone', 'band1')).toHaveLength(2); // the receiver did not go
    sim = await startWristbandSim(band.tx, { worn: true });
    await expectFault('band_out_of_range', 'band1', 'cleared');
  });

  it('raises band_battery_low from the band report, with hysteresis, and clears it when charged', async () => {
    sim.set({ batteryPct: 12 });
    await expectFault('band_battery_low', 'band1', 'raised');
    expect(faults('band_battery_low', 'band1', 'raised')[0]!.evidence.batteryPct).toBe(12);
    sim.set({ batteryPct: 20 }); // above the low mark, below the clear mark: still low
    await new Promise((r) => setTimeout(r, 2000));
    expect(faults('band_battery_low', 'band1', 'cleared')).toHaveLength(0);
    sim.set({ batteryPct: 90 });
    await expectFault('band_battery_low', 'band1', 'cleared');
  });

  it('takes the vitals limits the desk sends (vitals_limits) and keeps them in its state dir', async () => {
    const sendLimits = (n: number, residentId: string, limits: Record<string, number>) =>
      cloud.broker.publish(
        {
          cmd: 'publish',
          topic: `gw/${GW}/cmd`,
          payload: Buffer.from(
            JSON.stringify({
              schema: 1,
              id: `0193a6f0-0000-7000-8000-00000000001${n}`,
              type: 'vitals_limits',
              residentId,
              limits,
            }),
          ),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => {},
      );
    sendLimits(1, RESIDENT, { heartRateLow: 100, heartRateHigh: 90, sustainedS: 30 }); // no normal band
    await gateway.waitForLog('vitals limits refused: low must be below high', 10_000);
    sendLimits(2, 'someone-else', { heartRateLow: 45, heartRateHigh: 100, sustainedS: 30 });
    await gateway.waitForLog('vitals limits for another resident ignored', 10_000);
    sendLimits(3, RESIDENT, { heartRateLow: 45, heartRateHigh: 100, sustainedS: 30 });
    await gateway.waitForLog('vitals limits set by the desk', 10_000);
    const saved = JSON.parse(readFileSync(join(dir, 'data', 'state', 'vitals.json'), 'utf8'));
    expect(saved.desk).toEqual({ heartRateLow: 45, heartRateHigh: 100, sustainedS: 30 });
    // From here the heart rate is 118 bpm; the tests below run while it stays high (vitals test at the end).
    vitalsHighSince = Date.now();
    sim.set({ bpm: 118 });
  });

  it('raises band_not_worn when the band lies still for long while the home shows life, cleared when worn', async () => {
    sim.set({ worn: false });
    const pir = setInterval(
      () =>
        void z2m.publishAsync('zigbee2mqtt/kitchen/pir', JSON.stringify({ occupancy: true, battery: 90 })),
      1000,
    );
    try {
      const took = await expectFault('band_not_worn', 'band1', 'raised', 1, 30_000);
      expect(took).toBeLessThan(supervision.band.notWornAfterS + 60);
    } finally {
      clearInterval(pir);
    }
    sim.set({ worn: true });
    await expectFault('band_not_worn', 'band1', 'cleared');
  });

  it('raises sensor_offline from zigbee2mqtt availability (JSON and legacy string) and clears on online', async () => {
    await z2m.publishAsync('zigbee2mqtt/kitchen/pir/availability', JSON.stringify({ state: 'offline' }), {
      retain: true,
    });
    await z2m.publishAsync('zigbee2mqtt/front door/availability', 'offline');
    await expectFault('sensor_offline', 'kitchen-pir', 'raised');
    await expectFault('sensor_offline', 'front-door', 'raised');
    await z2m.publishAsync('zigbee2mqtt/kitchen/pir/availability', JSON.stringify({ state: 'online' }), {
      retain: true,
    });
    await z2m.publishAsync('zigbee2mqtt/front door/availability', 'online');
    await expectFault('sensor_offline', 'kitchen-pir', 'cleared');
    await expectFault('sensor_offline', 'front-door', 'cleared');
  });

  it('raises sensor_battery_low from a zigbee2mqtt battery field, and keeps garbage from doing anything', async () => {
    await z2m.publishAsync('zigbee2mqtt/front door/availability', 'maybe'); // neither: counted, ignored
    await z2m.publishAsync('zigbee2mqtt/front door', '{not json');
    await z2m.publishAsync('zigbee2mqtt/front door', JSON.stringify({ contact: true, battery: 5 }));
    await expectFault('sensor_battery_low', 'front-door', 'raised');
    expect(faults('sensor_offline', 'front-door')).toHaveLength(2);
  });

  it('shows the home at a glance in `anju-gw status`', async () => {
    meterState.silent.add(METER); // will be the open fault shown
    await expectFault('meter_silent', 'elec-main', 'raised');
    const run = promisify(execFile);
    const out = await run(
      process.execPath,
      ['bin/anju-gw.js', 'status', '--config', join(dir, 'gateway.yaml')],
      {
        cwd: ROOT,
      },
    ).catch((err: { code: number; stdout: string }) => err);
    expect((out as { code?: number }).code).toBe(3); // degraded: a fault is open
    const text = (out as { stdout: string }).stdout;
    expect(text).toMatch(/receiver band1\s+UP/);
    expect(text).toMatch(/band band1\s+worn, in range, battery 90 %/);
    expect(text).toMatch(/sensor front-door\s+online, battery 5 %/);
    expect(text).toMatch(/meter elec-main\s+SILENT/);
    expect(text).toMatch(/open faults .*meter_silent elec-main/);
  });

  it('raises meter_silent when a meter stops answering and clears it when it answers again', async () => {
    expect(faults('meter_silent', 'elec-main', 'raised')).toHaveLength(1);
    meterState.silent.delete(METER);
    await expectFault('meter_silent', 'elec-main', 'cleared');
  });

  it('raises one vitals event for a heart rate sustained above the limits the desk sent, not one per reading', async () => {
    await waitFor(() => events().some((e) => e.kind === 'vitals'), 60_000, 'vitals event');
    expect((Date.now() - vitalsHighSince) / 1000).toBeGreaterThanOrEqual(30);
    await new Promise((r) => setTimeout(r, 3000));
    const vitals = events().filter((e) => e.kind === 'vitals');
    expect(vitals).toHaveLength(1);
    expect(vitals[0]!.evidence).toMatchObject({
      value: 118,
      low: 45,
      high: 100,
      side: 'high',
      limitsSource: 'desk',
    });
    expect(vitals[0]!.evidence.sustainedS).toBeGreaterThanOrEqual(30);
    sim.set({ bpm: 72 });
  });

  it('an agent restart neither repeats an open fault nor forgets it', async () => {
    const before = events().length;
    await gateway.stop();
    gateway = await startGateway();
    await z2m.endAsync(true);
    z2m = await mqtt.connectAsync(localBrokerUrl(), { clientId: 'zigbee2mqtt' });
    await gateway.waitForLog('open faults restored', 5000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(faults('sensor_battery_low', 'front-door')).toHaveLength(1);
    expect(
      events()
        .slice(before)
        .filter((e) => e.kind === 'device_health'),
    ).toEqual([]);
    await z2m.publishAsync('zigbee2mqtt/front door', JSON.stringify({ contact: true, battery: 100 }));
    await expectFault('sensor_battery_low', 'front-door', 'cleared');
    expect(faults('sensor_battery_low', 'front-door')).toHaveLength(2);
  });
});
