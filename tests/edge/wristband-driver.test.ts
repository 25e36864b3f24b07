import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBus } from '../../edge/src/bus/local-broker.ts';
import type { AccelReading } from '../../edge/src/bus/readings.ts';
import { systemClock } from '../../edge/src/clock.ts';
import {
  crc16ccitt,
  DownlinkType,
  encodeFrame,
  VibratePattern,
} from '../../edge/src/drivers/wristband/codec.ts';
import { createWristbandDriver } from '../../edge/src/drivers/wristband/wristband.driver.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function writeTo(path: string, bytes: Buffer) {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  await new Promise<void>((r, j) => port.write(bytes, (e) => (e ? j(e) : r())));
  await new Promise<void>((r) => port.drain(() => r()));
  await new Promise<void>((r) => port.close(() => r()));
}

const accel = (seq: number) =>
  encodeFrame({
    type: 'accel',
    seq,
    tMs: seq * 200,
    intervalMs: 20,
    samples: [{ tMs: 0, x: 0, y: 0, z: 1 }],
  });

describe('wristband driver on a real pty (socat)', () => {
  it('publishes readings, counts bad frames, and reopens the port when it disappears and comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'band-'));
    const rx = join(dir, 'rx');
    const tx = join(dir, 'tx');
    let pair = await startPtyPair(rx, tx);
    const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    cleanups.push(() => bus.close());
    const seen: number[] = [];
    bus.subscribe('home/band1/accel', (_t, p) => seen.push((p as AccelReading).tMs));
    const driver = createWristbandDriver(
      { device: 'band1', path: rx, baudRate: 115200, reopenMinMs: 50, reopenMaxMs: 200 },
      { bus, log: silentLogger, clock: systemClock },
    );
    await driver.start();
    cleanups.push(() => driver.stop());
    await waitFor(() => driver.health().state === 'up', 5000, 'driver up');

    const corrupted = accel(1);
    corrupted[8] = (corrupted[8] ?? 0) ^ 0xff;
    await writeTo(tx, Buffer.concat([accel(0), corrupted, Buffer.from('noise'), accel(2)]));
    await waitFor(() => seen.length === 2, 5000, 'two good readings');
    expect(seen).toEqual([0, 400]);
    expect(driver.health().counters).toMatchObject({ frames: 2, badFrames: 1, crc: 1 });

    await pair.stop();
    await waitFor(() => driver.health().state === 'down', 5000, 'driver notices the port is gone');
    pair = await startPtyPair(rx, tx);
    cleanups.push(() => pair.stop());
    await waitFor(() => driver.health().state === 'up', 5000, 'driver reopened');
    await writeTo(tx, accel(3));
    await waitFor(() => seen.length === 3, 5000, 'reading after reopen');
    expect(driver.health().counters.reopens).toBeGreaterThanOrEqual(1);
  });

  it('sends a vibrate frame down the line for each valid request on the local broker, and refuses others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'band-'));
    const rx = join(dir, 'rx');
    const tx = join(dir, 'tx');
    const pair = await startPtyPair(rx, tx);
    cleanups.push(() => pair.stop());
    const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    cleanups.push(() => bus.close());
    // The receiver's side of the line: collect what the driver writes.
    const receiver = new SerialPort({ path: tx, baudRate: 115200, autoOpen: false });
    await new Promise<void>((r, j) => receiver.open((e) => (e ? j(e) : r())));
    cleanups.push(() => new Promise<void>((r) => receiver.close(() => r())));
    let received = Buffer.alloc(0);
    receiver.on('data', (b: Buffer) => {
      received = Buffer.concat([received, b]);
    });
    const driver = createWristbandDriver(
      { device: 'band1', path: rx, baudRate: 115200, reopenMinMs: 50, reopenMaxMs: 200 },
      { bus, log: silentLogger, clock: systemClock },
    );
    await driver.start();
    cleanups.push(() => driver.stop());
    await waitFor(() => driver.health().state === 'up', 5000, 'driver up');

    bus.publish('home/band1/vibrate', { pattern: 'shake-forever' });
    bus.publish('home/band1/vibrate', 'not json at all');
    bus.publish('home/band1/vibrate', { pattern: 'reminder', source: 'medication' });
    bus.publish('home/band2/vibrate', { pattern: 'alert' }); // another band's request
    bus.publish('home/band1/vibrate', { pattern: 'ack' });
    await waitFor(() => received.length >= 16, 5000, 'two downlink frames');

    const frames = [received.subarray(0, 8), received.subarray(8, 16)];
    for (const [i, f] of frames.entries()) {
      expect([...f.subarray(0, 5)]).toEqual([0xa5, 0x5a, DownlinkType.vibrate, i, 1]);
      expect(f.readUInt16BE(6)).toBe(crc16ccitt(f, 2, 6));
    }
    expect(frames.map((f) => f[5])).toEqual([VibratePattern.reminder, VibratePattern.ack]);
    expect(received.length).toBe(16);
    expect(driver.health().counters).toMatchObject({ vibrations: 2, badCommands: 2 });
  });
});
