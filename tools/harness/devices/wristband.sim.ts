import {
  type DownlinkFrame,
  DownlinkType,
  decodeDownlinkPayload,
  encodeFrame,
  FrameDecoder,
} from '../../../edge/src/drivers/wristband/codec.ts';
import { openDevicePort } from './serial-device.ts';

/** What the simulated band is doing on its wrist: set by the host's downlink frames. */
export interface BandState {
  /** The "I'm OK" prompt (vibrate + beep) is on until this band time (ms), if any. */
  promptUntilMs?: number | undefined;
  downlink: DownlinkFrame[];
  badDownlink: number;
}

/**
 * A wristband receiver on the device end of a pty: five accelerometer frames a second (10 samples at
 * 50 Hz, 1 g on z with a little noise), and heart rate and battery every second (a real band reports its
 * battery far less often; every second keeps any 7 consecutive frames holding one of each, for tests).
 *
 * It also reads the host's downlink like a band would: a vibrate (0x81) or "I'm OK" prompt (0x82) is shown
 * (`show`, default a line on stdout: "band: VIBRATE + BEEP …") and answered with an ack frame (0x05) naming
 * its type and seq; `answerDownlink: false` plays a band whose firmware ignores the downlink. `pressOk()`
 * sends the "I'm OK" button and silences the prompt, as the real band does.
 */
export async function startWristbandSim(
  path: string,
  options: {
    batteryPct?: number;
    bpm?: number;
    baudRate?: number;
    worn?: boolean;
    answerDownlink?: boolean;
    show?: (line: string) => void;
  } = {},
) {
  const o = { ...options };
  const show = o.show ?? ((line: string) => process.stdout.write(`${line}\n`));
  const state: BandState = { downlink: [], badDownlink: 0 };
  let seq = 0;
  let tMs = 0;
  let ticks = 0;
  const decoder = new FrameDecoder<DownlinkFrame>(() => {
    state.badDownlink++;
  }, decodeDownlinkPayload);
  const dev = await openDevicePort(
    path,
    (chunk) => {
      for (const f of decoder.push(chunk)) {
        state.downlink.push(f);
        if (f.type === 'prompt') {
          state.promptUntilMs = f.action === 'start' ? tMs + f.seconds * 1000 : undefined;
          show(
            f.action === 'start'
              ? `band: VIBRATE + BEEP for up to ${f.seconds} s — "Are you OK? Press I'm OK" / 手环振动+蜂鸣："您还好吗？请按'我没事'"`
              : 'band: prompt stopped / 手环停止提醒',
          );
        } else show(`band: vibrate (${f.pattern}) / 手环振动`);
        if (o.answerDownlink === false) continue;
        const ackType = f.type === 'prompt' ? DownlinkType.prompt : DownlinkType.vibrate;
        void dev.write(encodeFrame({ type: 'ack', seq: seq++, tMs, ackType, ackSeq: f.seq, status: 'done' }));
      }
    },
    o.baudRate ?? 115_200,
  );
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
    if (state.promptUntilMs !== undefined && tMs >= state.promptUntilMs) state.promptUntilMs = undefined;
    await dev.write(Buffer.concat(frames));
  };
  const timer = setInterval(() => void tick(), 200);
  await tick();
  return {
    state,
    /** Changes what the band reports from the next frame on (battery, heart rate, worn or lying still). */
    set(change: { batteryPct?: number; bpm?: number; worn?: boolean }) {
      Object.assign(o, change);
    },
    /** Raw bytes, e.g. noise. */
    send: (bytes: Buffer) => dev.write(bytes),
    /** The elder presses "I'm OK": the button frame goes up, and the band's own prompt stops. */
    async pressOk() {
      state.promptUntilMs = undefined;
      await dev.write(encodeFrame({ type: 'button', seq: seq++, tMs, button: 'ok' }));
    },
    async close() {
      clearInterval(timer);
      await dev.close();
    },
  };
}
