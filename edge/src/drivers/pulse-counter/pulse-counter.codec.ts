/**
 * Line protocol of the pulse-counter board (our own; see README.md): the board counts the reed or
 * open-collector pulses of water and gas meters and reports each channel's running count as ASCII:
 *
 *   P,<channel>,<count>*<CS>\r\n
 *
 * channel 1..16, count 0..2^counterBits−1 in decimal (it wraps, and restarts at 0 when the board resets),
 * CS = XOR of every byte from `P` up to (not including) `*`, two upper-case hex digits (as in NMEA 0183).
 * A line is at most MAX_LINE bytes; `\n` ends it, a trailing `\r` is ignored.
 */

export const MAX_LINE = 40;
export const MAX_CHANNEL = 16;

export interface PulseReport {
  channel: number;
  count: number;
}

export function xorChecksum(text: string): number {
  let cs = 0;
  for (let i = 0; i < text.length; i++) cs ^= text.charCodeAt(i) & 0xff;
  return cs;
}

export function encodePulseLine(r: PulseReport): Buffer {
  const body = `P,${r.channel},${r.count}`;
  return Buffer.from(`${body}*${xorChecksum(body).toString(16).toUpperCase().padStart(2, '0')}\r\n`, 'ascii');
}

export type PulseRejectReason = 'checksum' | 'format' | 'too_long';

const LINE_RE = /^(P,(\d{1,2}),(\d{1,10}))\*([0-9A-F]{2})$/;

/** Parses one line (without its line end); a reject reason when it is not a good report. */
export function parsePulseLine(line: string): PulseReport | PulseRejectReason {
  const m = LINE_RE.exec(line);
  if (!m) return 'format';
  if (Number.parseInt(m[4]!, 16) !== xorChecksum(m[1]!)) return 'checksum';
  const channel = Number(m[2]);
  const count = Number(m[3]);
  if (channel < 1 || channel > MAX_CHANNEL || count > 0xffff_ffff) return 'format';
  return { channel, count };
}

export interface PulseDecoderStats {
  lines: number;
  rejected: Record<PulseRejectReason, number>;
}

/** Streaming line decoder: partial lines wait for their end; an over-long line is dropped up to its `\n`. */
export class PulseLineDecoder {
  private partial = '';
  private overflow = false;
  readonly stats: PulseDecoderStats = { lines: 0, rejected: { checksum: 0, format: 0, too_long: 0 } };

  constructor(private readonly onReject: (reason: PulseRejectReason) => void = () => {}) {}

  push(chunk: Buffer): PulseReport[] {
    const out: PulseReport[] = [];
    // latin1 keeps one char per byte, so garbage never turns into multi-byte surprises.
    const text = chunk.toString('latin1');
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      const piece = text.slice(from, nl < 0 ? text.length : nl);
      if (!this.overflow) this.partial += piece;
      if (this.partial.length > MAX_LINE) {
        this.overflow = true;
        this.partial = '';
      }
      if (nl < 0) break;
      if (this.overflow) this.reject('too_long');
      else {
        const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
        if (line.length > 0) {
          const r = parsePulseLine(line);
          if (typeof r === 'string') this.reject(r);
          else {
            this.stats.lines++;
            out.push(r);
          }
        }
      }
      this.partial = '';
      this.overflow = false;
      from = nl + 1;
    }
    return out;
  }

  reset(): void {
    this.partial = '';
    this.overflow = false;
  }

  private reject(reason: PulseRejectReason): void {
    this.stats.rejected[reason]++;
    this.onReject(reason);
  }
}

export type CountEvent = 'first' | 'normal' | 'wrap' | 'reset';

/**
 * Turns a channel's running count into pulses since the previous report. The counter wraps at
 * 2^counterBits; a drop that a wrap cannot explain within `maxPulsesPerReport` is a board reset (the
 * count restarted at 0, so the new count is all new pulses). A jump up beyond `maxPulsesPerReport` is
 * not believed: it re-baselines and adds nothing.
 */
export class PulseAccumulator {
  private last: number | undefined;
  constructor(
    private readonly counterBits: number,
    private readonly maxPulsesPerReport: number,
  ) {}

  update(count: number): { pulses: number; event: CountEvent | 'implausible' } {
    const prev = this.last;
    this.last = count;
    if (prev === undefined) return { pulses: 0, event: 'first' };
    if (count >= prev) {
      const d = count - prev;
      return d <= this.maxPulsesPerReport
        ? { pulses: d, event: 'normal' }
        : { pulses: 0, event: 'implausible' };
    }
    const wrapped = count + 2 ** this.counterBits - prev;
    if (wrapped <= this.maxPulsesPerReport) return { pulses: wrapped, event: 'wrap' };
    return count <= this.maxPulsesPerReport
      ? { pulses: count, event: 'reset' }
      : { pulses: 0, event: 'implausible' };
  }
}
