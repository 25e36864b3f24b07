/**
 * Modbus RTU pieces we own (modbus-serial does the client's framing): the CRC, the read-registers
 * request/response frames (used by the slave simulator and to check modbus-serial), and turning
 * register words into a number.
 *
 * Modbus over Serial Line V1.02 §2.5.1.1: an RTU frame is `address, function, data…, CRC lo, CRC hi`;
 * CRC-16/MODBUS is poly 0xA001 (reflected 0x8005), init 0xFFFF, sent low byte first (§6.2.2).
 * Modbus Application Protocol V1.1b3 §6.3 (0x03 Read Holding Registers) and §6.4 (0x04 Read Input
 * Registers): request `start (u16 BE), quantity (u16 BE, 1..125)`; response `byte count (2 × quantity),
 * registers (u16 BE)`; an exception response sets bit 7 of the function code and carries one code (§7).
 */

export type ReadFunction = 3 | 4;
export const MAX_READ_REGISTERS = 125;

export function crc16modbus(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function withCrc(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 2);
  body.copy(out);
  out.writeUInt16LE(crc16modbus(body), body.length);
  return out;
}

export interface ReadRequest {
  unitId: number;
  fn: ReadFunction;
  start: number;
  count: number;
}

export function encodeReadRequest(r: ReadRequest): Buffer {
  const b = Buffer.alloc(6);
  b[0] = r.unitId;
  b[1] = r.fn;
  b.writeUInt16BE(r.start, 2);
  b.writeUInt16BE(r.count, 4);
  return withCrc(b);
}

export type RequestRejectReason = 'crc' | 'length' | 'function';

/** Parses one 8-byte read request (what a slave receives); a reason string when it is not one. */
export function parseReadRequest(frame: Buffer): ReadRequest | RequestRejectReason {
  if (frame.length !== 8) return 'length';
  if (frame.readUInt16LE(6) !== crc16modbus(frame, 0, 6)) return 'crc';
  const fn = frame[1];
  if (fn !== 3 && fn !== 4) return 'function';
  const count = frame.readUInt16BE(4);
  if (count < 1 || count > MAX_READ_REGISTERS) return 'length';
  return { unitId: frame[0]!, fn, start: frame.readUInt16BE(2), count };
}

export function encodeReadResponse(unitId: number, fn: ReadFunction, words: readonly number[]): Buffer {
  const b = Buffer.alloc(3 + 2 * words.length);
  b[0] = unitId;
  b[1] = fn;
  b[2] = 2 * words.length;
  words.forEach((w, i) => {
    b.writeUInt16BE(w & 0xffff, 3 + 2 * i);
  });
  return withCrc(b);
}

/** §7: exception codes, e.g. 2 = illegal data address. */
export function encodeExceptionResponse(unitId: number, fn: ReadFunction, code: number): Buffer {
  return withCrc(Buffer.from([unitId, fn | 0x80, code]));
}

export type RegisterType = 'u16' | 's16' | 'u32' | 's32' | 'float32';
/** `high_first`: the first register holds the high word (the Modbus convention); `low_first`: swapped. */
export type WordOrder = 'high_first' | 'low_first';

export const registerCount = (t: RegisterType): 1 | 2 => (t === 'u16' || t === 's16' ? 1 : 2);

/**
 * Register words → a number: type, word order for 32-bit values, then × scale. Undefined when there are
 * too few words or the value is not finite (a NaN float32 from a meter that is starting up).
 */
export function decodeRegisters(
  words: readonly number[],
  type: RegisterType,
  wordOrder: WordOrder,
  scale: number,
): number | undefined {
  const n = registerCount(type);
  if (words.length < n) return undefined;
  const b = Buffer.alloc(4);
  if (n === 1) b.writeUInt16BE(words[0]! & 0xffff, 0);
  else {
    const [hi, lo] = wordOrder === 'high_first' ? [words[0]!, words[1]!] : [words[1]!, words[0]!];
    b.writeUInt16BE(hi & 0xffff, 0);
    b.writeUInt16BE(lo & 0xffff, 2);
  }
  let raw: number;
  switch (type) {
    case 'u16':
      raw = b.readUInt16BE(0);
      break;
    case 's16':
      raw = b.readInt16BE(0);
      break;
    case 'u32':
      raw = b.readUInt32BE(0);
      break;
    case 's32':
      raw = b.readInt32BE(0);
      break;
    case 'float32':
      raw = b.readFloatBE(0);
      break;
  }
  const v = raw * scale;
  return Number.isFinite(v) ? v : undefined;
}

/** The inverse of `decodeRegisters` (before scale); for simulators and tests. */
export function encodeRegisters(value: number, type: RegisterType, wordOrder: WordOrder): number[] {
  const b = Buffer.alloc(4);
  switch (type) {
    case 'u16':
      return [Math.round(value) & 0xffff];
    case 's16':
      b.writeInt16BE(Math.round(value), 0);
      return [b.readUInt16BE(0)];
    case 'u32':
      b.writeUInt32BE(Math.round(value) >>> 0, 0);
      break;
    case 's32':
      b.writeInt32BE(Math.round(value) | 0, 0);
      break;
    case 'float32':
      b.writeFloatBE(value, 0);
      break;
  }
  const hi = b.readUInt16BE(0);
  const lo = b.readUInt16BE(2);
  return wordOrder === 'high_first' ? [hi, lo] : [lo, hi];
}
