import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import {
  type DownlinkFrame,
  DownlinkType,
  decodeDownlinkPayload,
  encodeFrame,
  FrameDecoder,
} from '../drivers/wristband/codec.ts';
import type { TimedFrame } from './recording-frames.ts';

export interface SerialReplayOptions {
  path: string;
  baudRate: number;
  /** 1 = real time; 10 = ten times faster; Infinity = as fast as the port takes it. */
  speed: number;
  onProgress?: (sentFrames: number, total: number) => void;
  /**
   * The replay plays the band, so it reads the gateway's downlink too: each frame is shown here and
   * acknowledged (uplink 0x05), as the band's firmware does.
   */
  onDownlink?: (f: DownlinkFrame) => void;
  /**
   * The elder answers the prompt: "I'm OK" pressed this many seconds (replay time) after the gateway's
   * "I'm OK" prompt starts; the replay keeps the port open up to `lingerMs` after its last frame for it.
   */
  okAfterPromptS?: number;
  lingerMs?: number;
}

/** Writes frames into a serial port on their schedule (real time divided by `speed`). */
export async function replayFrames(frames: readonly TimedFrame[], o: SerialReplayOptions): Promise<void> {
  const port = new SerialPort({ path: o.path, baudRate: o.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let upSeq = 0xc0; // the replay's own uplink frames (acks, "I'm OK"): their own sequence
  let okPressed = false;
  const okTimers: NodeJS.Timeout[] = [];
  const decoder = new FrameDecoder<DownlinkFrame>(() => {}, decodeDownlinkPayload);
  port.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      o.onDownlink?.(f);
      const ackType = f.type === 'prompt' ? DownlinkType.prompt : DownlinkType.vibrate;
      port.write(encodeFrame({ type: 'ack', seq: upSeq++, tMs: 0, ackType, ackSeq: f.seq, status: 'done' }));
      if (f.type === 'prompt' && f.action === 'start' && o.okAfterPromptS !== undefined && !okPressed)
        okTimers.push(
          setTimeout(
            () => {
              okPressed = true;
              port.write(encodeFrame({ type: 'button', seq: upSeq++, tMs: 0, button: 'ok' }));
            },
            (o.okAfterPromptS * 1000) / o.speed,
          ),
        );
    }
  });
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
    if (o.okAfterPromptS !== undefined) {
      const until = performance.now() + (o.lingerMs ?? 15_000);
      while (!okPressed && performance.now() < until) await sleep(50);
    }
    await new Promise<void>((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
  } finally {
    for (const t of okTimers) clearTimeout(t);
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
