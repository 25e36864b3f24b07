import { describe, expect, it } from 'vitest';
import {
  encodePulseLine,
  PulseAccumulator,
  PulseLineDecoder,
  parsePulseLine,
  xorChecksum,
} from './pulse-counter.codec.ts';

describe('pulse-counter line protocol', () => {
  it('frames a report with its XOR checksum, written by hand', () => {
    // "P,1,0": P(50) ^ ,(2C) ^ 1(31) ^ ,(2C) ^ 0(30) = 0x51
    expect(xorChecksum('P,1,0')).toBe(0x51);
    expect(encodePulseLine({ channel: 1, count: 0 }).toString('ascii')).toBe('P,1,0*51\r\n');
    expect(parsePulseLine('P,1,0*51')).toEqual({ channel: 1, count: 0 });
    expect(
      parsePulseLine(
        `P,12,4294967295*${xorChecksum('P,12,4294967295').toString(16).toUpperCase().padStart(2, '0')}`,
      ),
    ).toEqual({
      channel: 12,
      count: 4294967295,
    });
  });

  it('rejects bad checksums, bad formats, out-of-range values and over-long lines', () => {
    expect(parsePulseLine('P,1,0*52')).toBe('checksum');
    expect(parsePulseLine('P,1,0')).toBe('format');
    expect(parsePulseLine('Q,1,0*61')).toBe('format');
    const body = 'P,17,5';
    expect(parsePulseLine(`${body}*${xorChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`)).toBe(
      'format',
    );
    const d = new PulseLineDecoder();
    const out = d.push(Buffer.from(`${'x'.repeat(100)}\nP,1,0*51\r\n`));
    expect(out).toEqual([{ channel: 1, count: 0 }]);
    expect(d.stats.rejected.too_long).toBe(1);
  });

  it('joins lines split across chunks and skips noise between them', () => {
    const d = new PulseLineDecoder();
    const s = Buffer.concat([
      encodePulseLine({ channel: 2, count: 10 }),
      Buffer.from('\x00\xff garbage\r\n'),
      encodePulseLine({ channel: 3, count: 11 }),
    ]);
    const out = [...d.push(s.subarray(0, 5)), ...d.push(s.subarray(5, 17)), ...d.push(s.subarray(17))];
    expect(out).toEqual([
      { channel: 2, count: 10 },
      { channel: 3, count: 11 },
    ]);
    expect(d.stats.rejected.format).toBe(1);
  });

  it('counts pulses across a wrap, a board reset and an implausible jump', () => {
    const a = new PulseAccumulator(16, 1000);
    expect(a.update(65_000)).toEqual({ pulses: 0, event: 'first' });
    expect(a.update(65_500)).toEqual({ pulses: 500, event: 'normal' });
    expect(a.update(100)).toEqual({ pulses: 136, event: 'wrap' }); // 65 536 − 65 500 + 100
    expect(a.update(200)).toEqual({ pulses: 100, event: 'normal' });
    expect(a.update(5)).toEqual({ pulses: 5, event: 'reset' }); // back near 0: the board restarted
    expect(a.update(50_000)).toEqual({ pulses: 0, event: 'implausible' });
    expect(a.update(50_010)).toEqual({ pulses: 10, event: 'normal' });
  });

  it('survives thousands of random and mutated inputs without throwing, counting rejects', () => {
    let seed = 2024;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const d = new PulseLineDecoder();
    let good = 0;
    for (let n = 0; n < 5000; n++) {
      let chunk: Buffer;
      if (n % 3 === 0) {
        chunk = Buffer.alloc(Math.floor(rnd() * 60));
        for (let i = 0; i < chunk.length; i++) chunk[i] = Math.floor(rnd() * 256);
      } else {
        chunk = Buffer.from(encodePulseLine({ channel: 1 + (n % 16), count: n * 7 }));
        if (n % 2) chunk[Math.floor(rnd() * (chunk.length - 2))] = Math.floor(rnd() * 256);
      }
      good += d.push(chunk).length;
    }
    const rejected = Object.values(d.stats.rejected).reduce((a, b) => a + b, 0);
    expect(good).toBeGreaterThan(500); // garbage without a line end swallows the next line
    expect(rejected).toBeGreaterThan(1000);
  });
});
