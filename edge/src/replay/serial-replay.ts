import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import type { TimedFrame } from './recording-frames.ts';

export interface SerialReplayOptions {
  path: string;
  baudRate: number;
  /** 1 = real time; 10 = ten times faster; Infinity = as fast as the port takes it. */
  speed: number;
  onProgress?: (sentFrames: number, total: number) => void;
}

/** Writes frames into a serial port on their schedule (real time divided by `speed`). */
export async function replayFrames(frames: readonly TimedFrame[], o: SerialReplayOptions): Promise<void> {
  const port = new SerialPort({ path: o.path, baudRate: o.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  try {
    const start = performance.now();
    let sent = 0;
    for (const f of frames) {
      const due = start + f.atMs / o.speed;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      await new Promise<void>((resolve, reject) =>
        port.write(f.bytes, (err) => (err ? reject(err) : resolve())),
      );
      sent++;
      if (sent % 25 === 0 || sent === frames.length) o.onProgress?.(sent, frames.length);
    }
    await new Promise<void>((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
