import { describe, expect, it } from 'vitest';
import {
  crc16modbus,
  decodeRegisters,
  encodeExceptionResponse,
  encodeReadRequest,
  encodeReadResponse,
  encodeRegisters,
  parseReadRequest,
} from './modbus-rtu.codec.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Modbus RTU codec', () => {
  it('has the CRC-16/MODBUS check value 0x4B37 for "123456789"', () => {
    expect(crc16modbus(Buffer.from('123456789'))).toBe(0x4b37);
  });

  it('encodes a read of 10 holding registers from unit 1 as 01 03 00 00 00 0A C5 CD', () => {
    expect(encodeReadRequest({ unitId: 1, fn: 3, start: 0, count: 10 })).toEqual(
      hex('01 03 00 00 00 0A C5 CD'),
    );
    expect(parseReadRequest(hex('01 03 00 00 00 0A C5 CD'))).toEqual({
      unitId: 1,
      fn: 3,
      start: 0,
      count: 10,
    });
  });

  it('rejects requests with a bad CRC, length or function', () => {
    expect(parseReadRequest(hex('01 03 00 00 00 0A C5 CE'))).toBe('crc');
    expect(parseReadRequest(hex('01 03 00 00 00'))).toBe('length');
    expect(parseReadRequest(encodeReadRequest({ unitId: 1, fn: 3, start: 0, count: 200 }))).toBe('length');
    const fn6 = Buffer.from(encodeReadRequest({ unitId: 1, fn: 3, start: 0, count: 1 }));
    fn6[1] = 6;
    fn6.writeUInt16LE(crc16modbus(fn6, 0, 6), 6);
    expect(parseReadRequest(fn6)).toBe('function');
  });

  it('frames responses and exceptions with their CRC low byte first', () => {
    const r = encodeReadResponse(1, 4, [0x1234]);
    expect(r.subarray(0, 5)).toEqual(hex('01 04 02 12 34'));
    expect(r.readUInt16LE(5)).toBe(crc16modbus(r, 0, 5));
    expect(encodeExceptionResponse(1, 3, 2).subarray(0, 3)).toEqual(hex('01 83 02'));
  });

  it('decodes u16/s16/u32/s32/float32 with word order and scale', () => {
    expect(decodeRegisters([0xfffe], 's16', 'high_first', 1)).toBe(-2);
    expect(decodeRegisters([0x0001, 0x86a0], 'u32', 'high_first', 0.01)).toBeCloseTo(1000);
    expect(decodeRegisters([0x86a0, 0x0001], 'u32', 'low_first', 0.01)).toBeCloseTo(1000);
    expect(decodeRegisters([0xffff, 0xffff], 's32', 'high_first', 1)).toBe(-1);
    expect(decodeRegisters([0x4640, 0xe400], 'float32', 'high_first', 1)).toBe(12345);
    expect(decodeRegisters([0x7fc0, 0x0000], 'float32', 'high_first', 1)).toBeUndefined(); // NaN
    expect(decodeRegisters([1], 'u32', 'high_first', 1)).toBeUndefined();
    for (const t of ['u16', 's16', 'u32', 's32', 'float32'] as const)
      for (const o of ['high_first', 'low_first'] as const)
        expect(decodeRegisters(encodeRegisters(1234, t, o), t, o, 1)).toBe(1234);
  });

  it('survives thousands of random and mutated requests without throwing, rejecting the damaged ones', () => {
    let seed = 485;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const good = encodeReadRequest({ unitId: 7, fn: 4, start: 0x100, count: 2 });
    const rejects: Record<string, number> = {};
    let accepted = 0;
    for (let n = 0; n < 5000; n++) {
      const b = n % 2 ? Buffer.alloc(Math.floor(rnd() * 12)) : Buffer.from(good);
      if (n % 2) for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
      else b[Math.floor(rnd() * 8)] = Math.floor(rnd() * 256);
      const r = parseReadRequest(b);
      if (typeof r === 'string') rejects[r] = (rejects[r] ?? 0) + 1;
      else accepted++;
      const words = Array.from({ length: Math.floor(rnd() * 3) }, () => Math.floor(rnd() * 0x10000));
      decodeRegisters(words, 'float32', n % 3 ? 'high_first' : 'low_first', rnd());
    }
    expect(rejects.crc).toBeGreaterThan(2000);
    expect(rejects.length).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(0); // a mutation that writes the same byte back
  });
});
