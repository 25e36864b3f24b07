import { SerialPort } from 'serialport';
import { DownlinkType, encodePrompt, FrameDecoder, type WristbandFrame } from '../drivers/wristband/codec.ts';

/** What `pair wristband` saw on a port in its listening time, read with the driver's own codec. */
export interface WristbandProbe {
  path: string;
  bytes: number;
  frames: number;
  byType: Record<WristbandFrame['type'], number>;
  /** Accelerometer sample rate from the frames' sample interval. */
  accelHz?: number | undefined;
  batteryPct?: number | undefined;
  heartRateBpm?: number | undefined;
  buttons: string[];
  seqGaps: number;
  badFrames: number;
  bytesSkipped: number;
  listenedMs: number;
  /**
   * The "I'm OK" prompt check: a 2 s prompt (vibrate + beep, downlink 0x82) sent once the frames arrived,
   * and the band's ack of it. Undefined when the check was not asked for (or the frames never came).
   */
  prompt?: { answered: boolean; ms?: number; status?: 'done' | 'refused' } | undefined;
  verdict: 'ok' | 'silent' | 'too_few' | 'garbage' | 'no_answer';
}

/** Why a port could not even be opened: missing (a usage error) or busy/denied (a failure). */
export class PortOpenError extends Error {
  constructor(
    readonly path: string,
    readonly missing: boolean,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Listens on `path` until `frames` valid wristband frames arrived or `timeoutMs` passed. Bytes with no
 * valid frame are "garbage" (wrong baud rate, or not a wristband receiver); nothing at all is "silent".
 */
export async function probeWristband(
  path: string,
  o: { baudRate: number; frames: number; timeoutMs: number; promptCheckMs?: number },
): Promise<WristbandProbe> {
  const port = new SerialPort({ path, baudRate: o.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => {
      if (!err) return resolve();
      const missing = /ENOENT|No such file/i.test(err.message);
      reject(
        new PortOpenError(
          path,
          missing,
          missing
            ? `no serial port ${path} / 没有串口 ${path}`
            : `cannot open ${path}: ${err.message} (is the agent reading it? stop it first: systemctl stop anju-gw) / 无法打开 ${path}`,
        ),
      );
    }),
  );
  const decoder = new FrameDecoder();
  const p: WristbandProbe = {
    path,
    bytes: 0,
    frames: 0,
    byType: { accel: 0, heartRate: 0, battery: 0, button: 0, ack: 0 },
    buttons: [],
    seqGaps: 0,
    badFrames: 0,
    bytesSkipped: 0,
    listenedMs: 0,
    verdict: 'silent',
  };
  const started = performance.now();
  let promptSentAt: number | undefined;
  let onAck: (() => void) | undefined;
  const PROMPT_SEQ = 0x5a;
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.timeoutMs);
      port.on('data', (chunk: Buffer) => {
        p.bytes += chunk.length;
        for (const f of decoder.push(chunk)) {
          p.frames++;
          p.byType[f.type]++;
          if (f.type === 'accel') p.accelHz = Math.round(1000 / f.intervalMs);
          else if (f.type === 'battery') p.batteryPct = f.percent;
          else if (f.type === 'heartRate') p.heartRateBpm = f.bpm;
          else if (f.type === 'button') p.buttons.push(f.button);
          else if (
            f.ackType === DownlinkType.prompt &&
            f.ackSeq === PROMPT_SEQ &&
            promptSentAt !== undefined &&
            p.prompt &&
            !p.prompt.answered
          ) {
            p.prompt = { answered: true, ms: Math.round(performance.now() - promptSentAt), status: f.status };
            onAck?.();
          }
        }
        if (p.frames >= o.frames) {
          clearTimeout(timer);
          resolve();
        }
      });
      port.on('error', () => {});
    });
    if (o.promptCheckMs !== undefined && p.frames >= o.frames) {
      // The band must answer the confirm window's prompt, or a fall's "I'm OK" window would pass in silence.
      p.prompt = { answered: false };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.promptCheckMs);
        onAck = () => {
          clearTimeout(timer);
          resolve();
        };
        promptSentAt = performance.now();
        port.write(encodePrompt(PROMPT_SEQ, 'start', 2));
      });
      await new Promise<void>((resolve) => port.write(encodePrompt(PROMPT_SEQ + 1, 'stop'), () => resolve()));
      await new Promise<void>((resolve) => port.drain(() => resolve()));
    }
  } finally {
    p.listenedMs = Math.round(performance.now() - started);
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
  const r = decoder.stats.rejected;
  p.badFrames = r.crc + r.length + r.unknown_type + r.bad_payload;
  p.bytesSkipped = decoder.stats.bytesSkipped;
  p.seqGaps = decoder.stats.seqGaps;
  p.verdict =
    p.frames >= o.frames
      ? p.prompt && !(p.prompt.answered && p.prompt.status === 'done')
        ? 'no_answer'
        : 'ok'
      : p.bytes === 0
        ? 'silent'
        : p.frames === 0
          ? 'garbage'
          : 'too_few';
  return p;
}

/**
 * Tries each candidate port in turn and returns the first that sends valid wristband frames; `onTry`
 * hears about every port (its probe, or why it could not be opened). Undefined when none does.
 */
export async function detectWristband(
  candidates: readonly string[],
  o: { baudRate: number; frames: number; timeoutMs: number; promptCheckMs?: number },
  onTry: (path: string, result: WristbandProbe | PortOpenError) => void = () => {},
): Promise<WristbandProbe | undefined> {
  for (const path of candidates) {
    let p: WristbandProbe;
    try {
      p = await probeWristband(path, o);
    } catch (err) {
      if (!(err instanceof PortOpenError)) throw err;
      onTry(path, err);
      continue;
    }
    onTry(path, p);
    // A band that streams but does not answer the prompt is still the band: the caller says what is wrong.
    if (p.verdict === 'ok' || p.verdict === 'no_answer') return p;
  }
  return undefined;
}

/** The probe as an installer reads it. */
export function formatWristbandProbe(p: WristbandProbe): string {
  const types = Object.entries(p.byType)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return [
    `  port          ${p.path}`,
    `  listened      ${(p.listenedMs / 1000).toFixed(1)} s, ${p.bytes} bytes`,
    `  frames        ${p.frames}${types ? ` (${types})` : ''}, ${p.badFrames} bad, ${p.seqGaps} lost (sequence gaps)`,
    `  accelerometer ${p.accelHz === undefined ? 'none seen' : `${p.accelHz} Hz`}`,
    `  battery       ${p.batteryPct === undefined ? 'not reported yet' : `${p.batteryPct} %`}`,
    `  heart rate    ${p.heartRateBpm === undefined ? 'not reported yet' : `${p.heartRateBpm} bpm`}`,
    ...(p.buttons.length ? [`  buttons       ${p.buttons.join(', ')}`] : []),
    ...(p.prompt
      ? [
          `  "I'm OK" prompt ${p.prompt.answered ? `answered in ${p.prompt.ms} ms (${p.prompt.status}) / 手环已响应提醒` : 'NOT answered / 手环没有响应提醒'}`,
        ]
      : []),
  ].join('\n');
}
