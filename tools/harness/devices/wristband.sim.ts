import { encodeFrame } from '../../../edge/src/drivers/wristband/codec.ts';
import { openDevicePort } from './serial-device.ts';

/**
 * A wristband receiver on the device end of a pty: five accelerometer frames a second (10 samples at
 * 50 Hz, 1 g on z with a little noise), and heart rate and battery every second (a real band reports its
 * battery far less often; every second keeps any 7 consecutive frames holding one of each, for tests).
 */
export async function startWristbandSim(
  path: string,
  options: { batteryPct?: number; bpm?: number; baudRate?: number; worn?: boolean } = {},
) {
  const o = { ...options };
  const dev = await openDevicePort(path, () => {}, o.baudRate ?? 115_200);
  let seq = 0;
  let tMs = 0;
  let ticks = 0;
  const tick = async () => {
    const frames = [
      encodeFrame({
        type: 'accel',
        seq: seq++,
        tMs,
        intervalMs: 20,
        samples: Array.from({ length: 10 }, (_, i) => ({
          tMs: tMs + i * 20,
          x: 0.01 * Math.sin(ticks + i),
          y: 0.01 * Math.cos(ticks + i),
          // worn: the arm sways (~1 Hz, ±0.2 g); off the wrist the band lies still
          z: o.worn ? 1 + 0.2 * Math.sin((2 * Math.PI * (tMs + i * 20)) / 1000) : 1,
        })),
      }),
    ];
    if (ticks % 5 === 0)
      frames.push(
        encodeFrame({ type: 'heartRate', seq: seq++, tMs, bpm: o.bpm ?? 72, quality: 90 }),
        encodeFrame({ type: 'battery', seq: seq++, tMs, percent: o.batteryPct ?? 87 }),
      );
    ticks++;
    tMs += 200;
    await dev.write(Buffer.concat(frames));
  };
  const timer = setInterval(() => void tick(), 200);
  await tick();
  return {
    /** Changes what the band reports from the next frame on (battery, heart rate, worn or lying still). */
    set(change: { batteryPct?: number; bpm?: number; worn?: boolean }) {
      Object.assign(o, change);
    },
    /** Raw bytes, e.g. noise. */
    send: (bytes: Buffer) => dev.write(bytes),
    async close() {
      clearInterval(timer);
      await dev.close();
    },
  };
}
