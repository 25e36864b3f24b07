import { describe, expect, it } from 'vitest';
import {
  DataId,
  Dlt645Decoder,
  decodeActivePowerW,
  decodeAddress,
  decodeEnergyKwh,
  encodeAddress,
  encodeReadReply,
  encodeReadRequest,
  numberToBcd,
  parseReadReply,
} from './dlt645.codec.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Frames written by hand from DL/T 645-2007 (帧格式, +33H, CS = Σ mod 256) for meter 202312345678,
// whose address goes on the wire A0 first: 78 56 34 12 23 20.
const ADDRESS = '202312345678';
// 读数据 组合有功总电能 (DI 00 00 00 00): 68+78+56+34+12+23+20+68+11+04+4×33 = 0x308 → CS 08.
const READ_ENERGY = hex('FE FE FE FE 68 78 56 34 12 23 20 68 11 04 33 33 33 33 08 16');
// Reply 12345.67 kWh: BCD 67 45 23 01 (+33 → 9A 78 56 34); CS = 0x528 mod 256 = 28.
const ENERGY_REPLY = hex('68 78 56 34 12 23 20 68 91 08 33 33 33 33 9A 78 56 34 28 16');
// Reply 瞬时总有功功率 (DI 02 03 00 00 → DI0 first 00 00 03 02 → 33 33 36 35) = 1.2345 kW: 45 23 01 → 78 56 34;
// CS = 0x492 mod 256 = 92.
const POWER_REPLY = hex('68 78 56 34 12 23 20 68 91 07 33 33 36 35 78 56 34 92 16');
// Error reply D1H with 错误信息字 02 (no requested data): 02+33 = 35; CS = 0x32E mod 256 = 2E.
const ERROR_REPLY = hex('68 78 56 34 12 23 20 68 D1 01 35 2E 16');

describe('DL/T 645-2007 codec', () => {
  it('encodes the nameplate address A0 first in BCD and back', () => {
    expect(encodeAddress(ADDRESS)).toEqual(hex('78 56 34 12 23 20'));
    expect(decodeAddress(hex('78 56 34 12 23 20'))).toBe(ADDRESS);
    expect(encodeAddress('AAAAAAAAAAAA')).toEqual(hex('AA AA AA AA AA AA'));
    expect(() => encodeAddress('12345')).toThrow(RangeError);
  });

  it('encodes a read-energy request byte for byte as written from the spec', () => {
    expect(encodeReadRequest(ADDRESS, DataId.combinedActiveEnergyTotal)).toEqual(READ_ENERGY);
  });

  it('matches a published read request (meter 652022122003, CS 8D)', () => {
    expect(encodeReadRequest('652022122003', 0, 0)).toEqual(
      hex('68 03 20 12 22 20 65 68 11 04 33 33 33 33 8D 16'),
    );
  });

  it('decodes energy and power replies written by hand, and the encoder produces the same bytes', () => {
    const d = new Dlt645Decoder();
    const frames = d.push(Buffer.concat([ENERGY_REPLY, POWER_REPLY, ERROR_REPLY]));
    expect(frames).toHaveLength(3);
    const [e, p, err] = frames.map((f) => parseReadReply(f));
    expect(e).toMatchObject({ kind: 'data', address: ADDRESS, di: DataId.combinedActiveEnergyTotal });
    expect(p).toMatchObject({ kind: 'data', address: ADDRESS, di: DataId.activePowerTotal });
    expect(err).toEqual({ kind: 'error', address: ADDRESS, errorByte: 0x02 });
    expect(e?.kind === 'data' && decodeEnergyKwh(e.value)).toBe(12345.67);
    expect(p?.kind === 'data' && decodeActivePowerW(p.value)).toBe(1234.5);
    expect(encodeReadReply(ADDRESS, DataId.combinedActiveEnergyTotal, hex('67 45 23 01'))).toEqual(
      ENERGY_REPLY,
    );
    expect(numberToBcd(12345.67, 4, 2)).toEqual(hex('67 45 23 01'));
  });

  it('reads the sign bit of power as reverse flow and refuses non-BCD values', () => {
    expect(decodeActivePowerW(hex('45 23 81'))).toBe(-1234.5);
    expect(decodeEnergyKwh(hex('6A 45 23 01'))).toBeUndefined();
    expect(decodeEnergyKwh(hex('67 45 23'))).toBeUndefined();
  });

  it('skips FE preambles and garbage, resyncs after a bad checksum, and keeps partial frames', () => {
    const d = new Dlt645Decoder();
    const bad = Buffer.from(ENERGY_REPLY);
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0xff;
    const stream = Buffer.concat([hex('FE FE FE FE'), Buffer.from('noise'), bad, hex('FE FE'), POWER_REPLY]);
    const out = [...d.push(stream.subarray(0, 20)), ...d.push(stream.subarray(20))];
    expect(out).toHaveLength(1);
    expect(parseReadReply(out[0]!)).toMatchObject({ di: DataId.activePowerTotal });
    expect(d.stats.rejected.checksum).toBe(1);
    expect(d.stats.bytesSkipped).toBeGreaterThanOrEqual(5);
  });

  it('counts a frame without its 16H end byte', () => {
    const d = new Dlt645Decoder();
    const noEnd = Buffer.from(POWER_REPLY);
    noEnd[noEnd.length - 1] = 0x17;
    expect(d.push(Buffer.concat([noEnd, ENERGY_REPLY]))).toHaveLength(1);
    expect(d.stats.rejected.end).toBe(1);
  });

  it('survives thousands of random and mutated inputs without throwing, counting rejects', () => {
    let seed = 645;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const d = new Dlt645Decoder();
    let good = 0;
    for (let n = 0; n < 5000; n++) {
      let chunk: Buffer;
      if (n % 3 === 0) {
        chunk = Buffer.alloc(Math.floor(rnd() * 64), 0);
        for (let i = 0; i < chunk.length; i++) chunk[i] = Math.floor(rnd() * 256);
      } else {
        chunk = Buffer.from(n % 2 ? ENERGY_REPLY : POWER_REPLY);
        const flips = Math.floor(rnd() * 3);
        for (let k = 0; k < flips; k++) {
          const at = Math.floor(rnd() * chunk.length);
          chunk[at] = Math.floor(rnd() * 256);
        }
      }
      for (const f of d.push(chunk)) {
        good++;
        const r = parseReadReply(f);
        if (r?.kind === 'data') {
          decodeEnergyKwh(r.value);
          decodeActivePowerW(r.value);
        }
      }
    }
    const rejected = Object.values(d.stats.rejected).reduce((a, b) => a + b, 0);
    expect(good).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(100);
  });
});
