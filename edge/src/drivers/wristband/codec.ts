/**
 * Wire protocol of the wristband receiver (the USB dongle that relays the band's radio packets).
 *
 *   offset  size  field
 *   0       2     sync 0xA5 0x5A
 *   2       1     type (uplink 0x01 accel, 0x02 heart rate, 0x03 battery, 0x04 button, 0x05 ack;
 *                 downlink 0x81 vibrate, 0x82 confirm prompt)
 *   3       1     seq, wraps at 256 (gaps tell lost frames)
 *   4       1     len: payload length, ≤ MAX_PAYLOAD
 *   5       len   payload, little-endian
 *   5+len   2     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over type..payload, big-endian
 *
 * Payloads (tMs: u32, band clock in ms, wraps after 49 days):
 *   accel      tMs, u16 sample interval in 0.1 ms, u8 count (1..32), count × (i16 x, i16 y, i16 z) in milli-g
 *   heart rate tMs, u8 bpm, u8 quality 0..100
 *   battery    tMs, u8 percent
 *   button     tMs, u8 button (1 = SOS, 2 = "I'm OK")
 *   ack        tMs, u8 type of the downlink frame answered, u8 its seq, u8 status (0 done, 1 refused)
 * Downlink (host → receiver → band), no tMs:
 *   vibrate    u8 pattern (1 reminder, 2 alert, 3 ack)
 *   prompt     u8 action (1 start, 0 stop), u16 seconds (1..600): the "I'm OK" prompt — vibrate and beep
 *              until stopped, "I'm OK" is pressed, or the seconds run out (a lost stop frame cannot leave
 *              the band buzzing)
 */
import type { AccelSample } from '../../scoring/scorer.ts';

export const SYNC0 = 0xa5;
export const SYNC1 = 0x5a;
export const HEADER_BYTES = 5;
export const CRC_BYTES = 2;
export const MAX_PAYLOAD = 200;
export const MAX_ACCEL_SAMPLES = 32;

export const FrameType = { accel: 0x01, heartRate: 0x02, battery: 0x03, button: 0x04, ack: 0x05 } as const;
export const Button = { sos: 1, ok: 2 } as const;
export const AckStatus = { done: 0, refused: 1 } as const;

export type WristbandFrame =
  | { type: 'accel'; seq: number; tMs: number; intervalMs: number; samples: AccelSample[] }
  | { type: 'heartRate'; seq: number; tMs: number; bpm: number; quality: number }
  | { type: 'battery'; seq: number; tMs: number; percent: number }
  | { type: 'button'; seq: number; tMs: number; button: 'sos' | 'ok' }
  /** The band's answer to a downlink frame: which frame (type and seq) and whether it carried it out. */
  | { type: 'ack'; seq: number; tMs: number; ackType: number; ackSeq: number; status: 'done' | 'refused' };

export function crc16ccitt(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]! << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function frame(type: number, seq: number, payload: Buffer): Buffer {
  if (payload.length > MAX_PAYLOAD)
    throw new RangeError(`payload of ${payload.length} bytes > ${MAX_PAYLOAD}`);
  const out = Buffer.alloc(HEADER_BYTES + payload.length + CRC_BYTES);
  out[0] = SYNC0;
  out[1] = SYNC1;
  out[2] = type;
  out[3] = seq & 0xff;
  out[4] = payload.length;
  payload.copy(out, HEADER_BYTES);
  out.writeUInt16BE(crc16ccitt(out, 2, HEADER_BYTES + payload.length), HEADER_BYTES + payload.length);
  return out;
}

const toMilliG = (g: number) => Math.max(-32768, Math.min(32767, Math.round(g * 1000)));

export function encodeFrame(f: WristbandFrame): Buffer {
  const tMs = f.tMs >>> 0;
  switch (f.type) {
    case 'accel': {
      if (f.samples.length < 1 || f.samples.length > MAX_ACCEL_SAMPLES) {
        throw new RangeError(`accel frame needs 1..${MAX_ACCEL_SAMPLES} samples`);
      }
      const p = Buffer.alloc(7 + 6 * f.samples.length);
      p.writeUInt32LE(tMs, 0);
      p.writeUInt16LE(Math.round(f.intervalMs * 10), 4);
      p[6] = f.samples.length;
      f.samples.forEach((s, i) => {
        p.writeInt16LE(toMilliG(s.x), 7 + 6 * i);
        p.writeInt16LE(toMilliG(s.y), 9 + 6 * i);
        p.writeInt16LE(toMilliG(s.z), 11 + 6 * i);
      });
      return frame(FrameType.accel, f.seq, p);
    }
    case 'heartRate': {
      const p = Buffer.alloc(6);
      p.writeUInt32LE(tMs, 0);
      p[4] = f.bpm;
      p[5] = f.quality;
      return frame(FrameType.heartRate, f.seq, p);
    }
    case 'battery': {
      const p = Buffer.alloc(5);
      p.writeUInt32LE(tMs, 0);
      p[4] = f.percent;
      return frame(FrameType.battery, f.seq, p);
    }
    case 'button': {
      const p = Buffer.alloc(5);
      p.writeUInt32LE(tMs, 0);
      p[4] = f.button === 'sos' ? Button.sos : Button.ok;
      return frame(FrameType.button, f.seq, p);
    }
    case 'ack': {
      const p = Buffer.alloc(7);
      p.writeUInt32LE(tMs, 0);
      p[4] = f.ackType & 0xff;
      p[5] = f.ackSeq & 0xff;
      p[6] = AckStatus[f.status];
      return frame(FrameType.ack, f.seq, p);
    }
  }
}

/** Host → receiver frames (same framing): the receiver relays them to the band by radio. */
export const DownlinkType = { vibrate: 0x81, prompt: 0x82 } as const;
export const VibratePattern = { reminder: 1, alert: 2, ack: 3 } as const;
export type VibratePatternName = keyof typeof VibratePattern;

/** A vibrate command: u8 pattern (1 reminder, 2 alert, 3 ack). */
export function encodeVibrate(seq: number, pattern: VibratePatternName): Buffer {
  return frame(DownlinkType.vibrate, seq, Buffer.from([VibratePattern[pattern]]));
}

/** The "I'm OK" prompt lasts at most this long on the band, whatever the host asked. */
export const MAX_PROMPT_SECONDS = 600;

/**
 * The confirm window's prompt: action 'start' makes the band vibrate and beep until a 'stop', the elder's
 * "I'm OK", or `seconds` (1..600) pass; 'stop' silences it (seconds ignored, sent as 0).
 */
export function encodePrompt(seq: number, action: 'start' | 'stop', seconds = 0): Buffer {
  if (action === 'start' && !(Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_PROMPT_SECONDS))
    throw new RangeError(`prompt seconds must be an integer 1..${MAX_PROMPT_SECONDS}, got ${seconds}`);
  const p = Buffer.alloc(3);
  p[0] = action === 'start' ? 1 : 0;
  p.writeUInt16LE(action === 'start' ? seconds : 0, 1);
  return frame(DownlinkType.prompt, seq, p);
}

export type DownlinkFrame =
  | { type: 'vibrate'; seq: number; pattern: VibratePatternName }
  | { type: 'prompt'; seq: number; action: 'start' | 'stop'; seconds: number };

export type FrameRejectReason = 'crc' | 'length' | 'unknown_type' | 'bad_payload';

/** Parses one downlink payload (what the band receives): the simulator's and a band firmware's half. */
export function decodeDownlinkPayload(
  type: number,
  seq: number,
  p: Buffer,
): DownlinkFrame | FrameRejectReason {
  switch (type) {
    case DownlinkType.vibrate: {
      const name = (Object.keys(VibratePattern) as VibratePatternName[]).find(
        (k) => VibratePattern[k] === p[0],
      );
      if (p.length !== 1 || !name) return 'bad_payload';
      return { type: 'vibrate', seq, pattern: name };
    }
    case DownlinkType.prompt: {
      if (p.length !== 3 || p[0]! > 1) return 'bad_payload';
      const seconds = p.readUInt16LE(1);
      if (p[0] === 1 && (seconds < 1 || seconds > MAX_PROMPT_SECONDS)) return 'bad_payload';
      return { type: 'prompt', seq, action: p[0] === 1 ? 'start' : 'stop', seconds };
    }
    default:
      return 'unknown_type';
  }
}

/** Parses one payload; undefined when the payload does not fit its type. */
export function decodePayload(type: number, seq: number, p: Buffer): WristbandFrame | FrameRejectReason {
  if (p.length < 4) return 'bad_payload';
  const tMs = p.readUInt32LE(0);
  switch (type) {
    case FrameType.accel: {
      if (p.length < 7) return 'bad_payload';
      const intervalMs = p.readUInt16LE(4) / 10;
      const count = p[6]!;
      if (count < 1 || count > MAX_ACCEL_SAMPLES || p.length !== 7 + 6 * count || intervalMs <= 0) {
        return 'bad_payload';
      }
      const samples: AccelSample[] = [];
      for (let i = 0; i < count; i++) {
        samples.push({
          tMs: tMs + Math.round(i * intervalMs),
          x: p.readInt16LE(7 + 6 * i) / 1000,
          y: p.readInt16LE(9 + 6 * i) / 1000,
          z: p.readInt16LE(11 + 6 * i) / 1000,
        });
      }
      return { type: 'accel', seq, tMs, intervalMs, samples };
    }
    case FrameType.heartRate:
      if (p.length !== 6 || p[5]! > 100) return 'bad_payload';
      return { type: 'heartRate', seq, tMs, bpm: p[4]!, quality: p[5]! };
    case FrameType.battery:
      if (p.length !== 5 || p[4]! > 100) return 'bad_payload';
      return { type: 'battery', seq, tMs, percent: p[4]! };
    case FrameType.button: {
      if (p.length !== 5) return 'bad_payload';
      const b = p[4];
      if (b === Button.sos) return { type: 'button', seq, tMs, button: 'sos' };
      if (b === Button.ok) return { type: 'button', seq, tMs, button: 'ok' };
      return 'bad_payload';
    }
    case FrameType.ack: {
      if (p.length !== 7 || p[6]! > 1) return 'bad_payload';
      return {
        type: 'ack',
        seq,
        tMs,
        ackType: p[4]!,
        ackSeq: p[5]!,
        status: p[6] === AckStatus.done ? 'done' : 'refused',
      };
    }
    default:
      return 'unknown_type';
  }
}

export interface DecoderStats {
  frames: number;
  rejected: Record<FrameRejectReason, number>;
  bytesSkipped: number;
  seqGaps: number;
}

/**
 * Streaming decoder: feed it whatever the port delivers (partial frames, several frames, noise). It
 * resynchronises on the sync word after any damage, so one bad frame never costs the good ones after it.
 */
export class FrameDecoder<F extends { seq: number } = WristbandFrame> {
  private buf: Buffer = Buffer.alloc(0);
  private lastSeq: number | undefined;
  readonly stats: DecoderStats = {
    frames: 0,
    rejected: { crc: 0, length: 0, unknown_type: 0, bad_payload: 0 },
    bytesSkipped: 0,
    seqGaps: 0,
  };

  /** `payloads`: which side's frames to read — the host's uplink (default) or, on the band, the downlink. */
  constructor(
    private readonly onReject: (reason: FrameRejectReason) => void = () => {},
    private readonly payloads: (
      type: number,
      seq: number,
      p: Buffer,
    ) => F | FrameRejectReason = decodePayload as unknown as (
      type: number,
      seq: number,
      p: Buffer,
    ) => F | FrameRejectReason,
  ) {}

  push(chunk: Buffer): F[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: F[] = [];
    let i = 0;
    while (this.buf.length - i >= HEADER_BYTES) {
      if (this.buf[i] !== SYNC0 || this.buf[i + 1] !== SYNC1) {
        const next = this.buf.indexOf(SYNC0, i + 1);
        const to = next < 0 ? this.buf.length : next;
        this.stats.bytesSkipped += to - i;
        i = to;
        continue;
      }
      const len = this.buf[i + 4]!;
      if (len > MAX_PAYLOAD) {
        this.reject('length');
        i += 1;
        continue;
      }
      const total = HEADER_BYTES + len + CRC_BYTES;
      if (this.buf.length - i < total) break;
      const crc = this.buf.readUInt16BE(i + HEADER_BYTES + len);
      if (crc !== crc16ccitt(this.buf, i + 2, i + HEADER_BYTES + len)) {
        this.reject('crc');
        i += 1; // resync from the next byte: the sync word may sit inside the damaged frame
        continue;
      }
      const seq = this.buf[i + 3]!;
      const decoded = this.payloads(
        this.buf[i + 2]!,
        seq,
        this.buf.subarray(i + HEADER_BYTES, i + HEADER_BYTES + len),
      );
      i += total;
      if (typeof decoded === 'string') {
        this.reject(decoded);
        continue;
      }
      if (this.lastSeq !== undefined && ((this.lastSeq + 1) & 0xff) !== seq) this.stats.seqGaps++;
      this.lastSeq = seq;
      this.stats.frames++;
      out.push(decoded);
    }
    // Keep only the unread tail (copied, so the port's chunk can be released).
    this.buf = i >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(i));
    return out;
  }

  /** After a reconnect the partial frame in the buffer is stale. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.lastSeq = undefined;
  }

  private reject(reason: FrameRejectReason): void {
    this.stats.rejected[reason]++;
    this.onReject(reason);
  }
}
