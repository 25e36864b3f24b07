/**
 * DL/T 645-2007 (多功能电能表通信协议), the Chinese household electricity meter protocol over RS-485:
 * a pure codec — request encoder and a streaming response decoder. Clause names below are the
 * standard's own headings (data link layer 数据链路层, and Appendix A 数据标识编码表).
 *
 *   [FE FE FE FE]  68  A0 A1 A2 A3 A4 A5  68  C  L  DATA(L bytes)  CS  16
 *
 * - 字节格式: 8 data bits, EVEN parity, 1 stop bit; 2400 baud is the usual default.
 * - 传输事项 / 前导字节: the master sends 4 × FEH before a frame to wake the line; slaves may send 0–4 FE.
 * - 帧起始符: 68H, twice (before and after the address).
 * - 地址域: A0..A5, 12 BCD digits, A0 (the two lowest digits) first; AAH…AAH is the wildcard address.
 * - 控制码 C: D7 direction (1 = slave reply), D6 slave error flag, D5 more frames follow, D4..D0 function.
 *   Read data 读数据 = 11H; normal reply 91H (B1H with follow-up frames); error reply D1H with one
 *   error byte (错误信息字).
 * - 数据域长度 L: ≤ 200 for reads.
 * - 数据域: every byte is sent +33H and taken back −33H by the receiver ("加33H处理").
 * - 传输次序: multi-byte items low byte first (data identifier DI0 first, values least significant first).
 * - 校验码 CS: sum of all bytes from the first 68H to the end of DATA, modulo 256.
 * - 结束符: 16H.
 */

export const PREAMBLE = 0xfe;
export const START = 0x68;
export const END = 0x16;
export const DATA_OFFSET = 0x33;
/** 数据域长度: L ≤ 200 for read data. */
export const MAX_DATA_LENGTH = 200;
/** 68 A0..A5 68 C L … CS 16 */
export const FRAME_OVERHEAD = 12;

export const Control = {
  readData: 0x11,
  readDataReply: 0x91,
  readDataReplyMore: 0xb1,
  readDataError: 0xd1,
} as const;

/** Data identifiers DI3 DI2 DI1 DI0 as a u32 (Appendix A). */
export const DataId = {
  /** 表A.1 电能量: (当前)组合有功总电能, 4 bytes BCD XXXXXX.XX kWh. */
  combinedActiveEnergyTotal: 0x0000_0000,
  /** 表A.3 变量: 瞬时总有功功率, 3 bytes BCD XX.XXXX kW, D7 of the top byte is the sign. */
  activePowerTotal: 0x0203_0000,
} as const;

export interface Dlt645Frame {
  /** 12 digits, most significant first, as printed on the meter's nameplate. */
  address: string;
  control: number;
  /** The data field with the +33H already removed. */
  data: Buffer;
}

export function checksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + buf[i]!) & 0xff;
  return sum;
}

const ADDRESS_RE = /^[0-9]{12}$|^[Aa]{12}$/;

/** "202312345678" → 78 56 34 12 23 20 (A0 first). */
export function encodeAddress(address: string): Buffer {
  if (!ADDRESS_RE.test(address)) throw new RangeError(`DL/T 645 address must be 12 digits: ${address}`);
  const out = Buffer.alloc(6);
  for (let i = 0; i < 6; i++) {
    const hi = address.charCodeAt(10 - 2 * i);
    const lo = address.charCodeAt(11 - 2 * i);
    const nib = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : 0xa);
    out[i] = (nib(hi) << 4) | nib(lo);
  }
  return out;
}

export function decodeAddress(bytes: Uint8Array): string {
  let s = '';
  for (let i = 5; i >= 0; i--) s += bytes[i]!.toString(16).padStart(2, '0');
  return s.toUpperCase();
}

/** Builds a frame; `data` is given plain and sent +33H. `preamble` FE bytes go in front (4 for a master). */
export function encodeFrame(f: Dlt645Frame, preamble = 4): Buffer {
  if (f.data.length > MAX_DATA_LENGTH) throw new RangeError(`data of ${f.data.length} bytes > 200`);
  const out = Buffer.alloc(preamble + FRAME_OVERHEAD + f.data.length, PREAMBLE);
  let i = preamble;
  const start = i;
  out[i++] = START;
  encodeAddress(f.address).copy(out, i);
  i += 6;
  out[i++] = START;
  out[i++] = f.control;
  out[i++] = f.data.length;
  for (const b of f.data) out[i++] = (b + DATA_OFFSET) & 0xff;
  out[i] = checksum(out, start, i);
  out[i + 1] = END;
  return out;
}

function dataIdBytes(di: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(di >>> 0); // DI0 first
  return b;
}

/** 读数据 request (C = 11H, L = 4, DATA = DI0..DI3). */
export function encodeReadRequest(address: string, di: number, preamble = 4): Buffer {
  return encodeFrame({ address, control: Control.readData, data: dataIdBytes(di) }, preamble);
}

/** A slave's normal reply to 读数据 (C = 91H): DI0..DI3 then the value bytes. For simulators and tests. */
export function encodeReadReply(address: string, di: number, value: Buffer, preamble = 0): Buffer {
  return encodeFrame(
    { address, control: Control.readDataReply, data: Buffer.concat([dataIdBytes(di), value]) },
    preamble,
  );
}

/** A slave's error reply (C = D1H) with its 错误信息字. */
export function encodeErrorReply(address: string, errorByte: number, preamble = 0): Buffer {
  return encodeFrame(
    { address, control: Control.readDataError, data: Buffer.from([errorByte & 0xff]) },
    preamble,
  );
}

/** Packed BCD, least significant byte first, as a number scaled by 10^-decimals; undefined if a nibble > 9. */
export function bcdToNumber(bytes: Uint8Array, decimals: number): number | undefined {
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i]!;
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return undefined;
    v = v * 100 + hi * 10 + lo;
  }
  return v / 10 ** decimals;
}

/** The inverse of `bcdToNumber` (non-negative, rounded to `decimals`); for simulators and tests. */
export function numberToBcd(value: number, bytes: number, decimals: number): Buffer {
  let n = Math.round(Math.abs(value) * 10 ** decimals);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    const two = n % 100;
    n = Math.floor(n / 100);
    out[i] = ((Math.floor(two / 10) << 4) | (two % 10)) & 0xff;
  }
  return out;
}

export type ReadReply =
  | { kind: 'data'; address: string; di: number; value: Buffer; more: boolean }
  | { kind: 'error'; address: string; errorByte: number };

/** Interprets a decoded frame as a reply to 读数据; undefined when it is something else. */
export function parseReadReply(f: Dlt645Frame): ReadReply | undefined {
  if (f.control === Control.readDataError) {
    if (f.data.length < 1) return undefined;
    return { kind: 'error', address: f.address, errorByte: f.data[0]! };
  }
  if (f.control !== Control.readDataReply && f.control !== Control.readDataReplyMore) return undefined;
  if (f.data.length < 4) return undefined;
  return {
    kind: 'data',
    address: f.address,
    di: f.data.readUInt32LE(0),
    value: f.data.subarray(4),
    more: f.control === Control.readDataReplyMore,
  };
}

/** 组合有功总电能: XXXXXX.XX kWh in 4 BCD bytes. */
export function decodeEnergyKwh(value: Buffer): number | undefined {
  return value.length === 4 ? bcdToNumber(value, 2) : undefined;
}

/** 瞬时总有功功率: XX.XXXX kW in 3 BCD bytes; D7 of the top byte is the sign (reverse flow). Watts. */
export function decodeActivePowerW(value: Buffer): number | undefined {
  if (value.length !== 3) return undefined;
  const negative = (value[2]! & 0x80) !== 0;
  const kw = bcdToNumber(Buffer.from([value[0]!, value[1]!, value[2]! & 0x7f]), 4);
  if (kw === undefined) return undefined;
  return Math.round((negative ? -kw : kw) * 1000 * 10) / 10;
}

export type Dlt645RejectReason = 'checksum' | 'end' | 'length' | 'header';

export interface Dlt645DecoderStats {
  frames: number;
  rejected: Record<Dlt645RejectReason, number>;
  /** Bytes that were neither preamble nor part of a good frame. */
  bytesSkipped: number;
}

/**
 * Streaming decoder: feed it whatever the port delivers. It skips FE preambles and garbage, and after a
 * damaged frame resynchronises on the next 68H, so one bad frame never costs the good ones after it.
 */
export class Dlt645Decoder {
  private buf: Buffer = Buffer.alloc(0);
  readonly stats: Dlt645DecoderStats = {
    frames: 0,
    rejected: { checksum: 0, end: 0, length: 0, header: 0 },
    bytesSkipped: 0,
  };

  constructor(private readonly onReject: (reason: Dlt645RejectReason) => void = () => {}) {}

  push(chunk: Buffer): Dlt645Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Dlt645Frame[] = [];
    let i = 0;
    while (i < this.buf.length) {
      const b = this.buf[i]!;
      if (b !== START) {
        if (b !== PREAMBLE) this.stats.bytesSkipped++;
        i++;
        continue;
      }
      if (this.buf.length - i < 10) break; // need 68 A0..A5 68 C L
      if (this.buf[i + 7] !== START) {
        this.reject('header');
        i++;
        continue;
      }
      const len = this.buf[i + 9]!;
      if (len > MAX_DATA_LENGTH) {
        this.reject('length');
        i++;
        continue;
      }
      const total = FRAME_OVERHEAD + len;
      if (this.buf.length - i < total) break;
      const csAt = i + 10 + len;
      if (this.buf[csAt] !== checksum(this.buf, i, csAt)) {
        this.reject('checksum');
        i++; // resync from the next byte: a 68H may sit inside the damaged frame
        continue;
      }
      if (this.buf[csAt + 1] !== END) {
        this.reject('end');
        i++;
        continue;
      }
      const data = Buffer.alloc(len);
      for (let k = 0; k < len; k++) data[k] = (this.buf[i + 10 + k]! - DATA_OFFSET) & 0xff;
      out.push({
        address: decodeAddress(this.buf.subarray(i + 1, i + 7)),
        control: this.buf[i + 8]!,
        data,
      });
      this.stats.frames++;
      i += total;
    }
    // Keep only the unread tail (copied, so the port's chunk can be released); cap it against a flood.
    const tail = this.buf.subarray(Math.max(i, this.buf.length - (FRAME_OVERHEAD + MAX_DATA_LENGTH)));
    this.buf = tail.length ? Buffer.from(tail) : Buffer.alloc(0);
    return out;
  }

  /** After a reopen or a timeout the partial frame in the buffer is stale. */
  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  private reject(reason: Dlt645RejectReason): void {
    this.stats.rejected[reason]++;
    this.onReject(reason);
  }
}
