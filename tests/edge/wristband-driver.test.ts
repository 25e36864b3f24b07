import { afterEach, describe, expect, it } from 'vitest';
import type { AccelReading } from '../../edge/src/bus/readings.ts';
import {
  crc16ccitt,
  DownlinkType,
  encodeFrame,
  VibratePattern,
} from '../../edge/src/drivers/wristband/codec.ts';
import { startWristbandSim } from '../../tools/harness/devices/wristband.sim.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { type Cleanups, openSerial, startBandLine, writeSerial } from './band-line.fixture.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Writes a burst from a short-lived connection, as a receiver that comes and goes would. */
async function writeTo(path: string, bytes: Buffer) {
  const own: Cleanups = [];
  const port = await openSerial(path, own);
  await writeSerial(port, bytes);
  await new Promise<void>((r) => port.drain(() => r()));
  for (const c of own) await c();
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
    const line = await startBandLine(cleanups);
    const { tx, driver } = line;
    const seen: number[] = [];
    line.bus.subscribe('home/band1/accel', (_t, p) => seen.push((p as AccelReading).tMs));

    const corrupted = accel(1);
    corrupted[8] = (corrupted[8] ?? 0) ^ 0xff;
    await writeTo(tx, Buffer.concat([accel(0), corrupted, Buffer.from('noise'), accel(2)]));
    await waitFor(() => seen.length === 2, 5000, 'two good readings');
    expect(seen).toEqual([0, 400]);
    expect(driver.health().counters).toMatchObject({ frames: 2, badFrames: 1, crc: 1 });

    await line.stopPty();
    await waitFor(() => driver.health().state === 'down', 5000, 'driver notices the port is gone');
    await line.startPty();
    await waitFor(() => driver.health().state === 'up', 5000, 'driver reopened');
    await writeTo(tx, accel(3));
    await waitFor(() => seen.length === 3, 5000, 'reading after reopen');
    expect(driver.health().counters.reopens).toBeGreaterThanOrEqual(1);
  });

  it('sends a vibrate frame down the line for each valid request on the local broker, and refuses others', async () => {
    const { tx, bus, driver } = await startBandLine(cleanups);
    // The receiver's side of the line: collect what the driver writes.
    const receiver = await openSerial(tx, cleanups);
    let received = Buffer.alloc(0);
    receiver.on('data', (b: Buffer) => {
      received = Buffer.concat([received, b]);
    });

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

  it('sends the "I\'m OK" prompt (0x82) down the real line; the band shows it and its ack is counted', async () => {
    const { tx, bus, driver } = await startBandLine(cleanups);
    const shown: string[] = [];
    const band = await startWristbandSim(tx, { show: (l) => shown.push(l) });
    cleanups.push(() => band.close());

    bus.publish('home/band1/prompt', { action: 'start', seconds: 30 });
    bus.publish('home/band1/prompt', { action: 'start', seconds: 0 }); // refused: 1..600 s
    bus.publish('home/band1/prompt', { action: 'explode' }); // refused
    bus.publish('home/band1/prompt', { action: 'stop' });
    await waitFor(() => driver.health().counters.acks === 2, 5000, 'two acks from the band');
    expect(band.state.downlink).toMatchObject([
      { type: 'prompt', action: 'start', seconds: 30 },
      { type: 'prompt', action: 'stop' },
    ]);
    expect(band.state.badDownlink).toBe(0);
    expect(shown[0]).toMatch(/VIBRATE \+ BEEP for up to 30 s/);
    expect(shown[1]).toMatch(/prompt stopped/);
    expect(driver.health().counters).toMatchObject({
      prompts: 2,
      acks: 2,
      badCommands: 2,
      commandsUnsent: 0,
    });
  });
});
