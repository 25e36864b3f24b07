/**
 * Hostile bytes on a real serial line: the wristband driver reads a socat pty while the far end writes
 * thousands of damaged frames (bit flips, cuts, spliced noise, lying length bytes, unknown types and
 * impossible payloads with a correct CRC, bare sync words, pure noise) between good frames, in chunks
 * of random size so frames straddle the driver's reads. Every good frame must come out, in order; every
 * damaged one is counted by reason; the driver stays up. Seeded: a failure replays.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AccelReading } from '../../edge/src/bus/readings.ts';
import {
  CRC_BYTES,
  crc16ccitt,
  encodeFrame,
  HEADER_BYTES,
  MAX_PAYLOAD,
  SYNC0,
  SYNC1,
} from '../../edge/src/drivers/wristband/codec.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { type Cleanups, openSerial, startBandLine, writeSerial } from '../edge/band-line.fixture.ts';
import { mulberry32, type Rand } from './mutate.ts';

const SEED = 0x5e41a1;
const GOOD = 500;
const HOSTILE = 3000;
/** Good frames carry tMs from here on; a damaged frame that still decodes can never be taken for one. */
const GOOD_T0 = 3_000_000_000;

const cleanups: Cleanups = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const accel = (seq: number, tMs: number, n = 4) =>
  encodeFrame({
    type: 'accel',
    seq: seq & 0xff,
    tMs,
    intervalMs: 20,
    samples: Array.from({ length: n }, (_, i) => ({ tMs: i * 20, x: 0.01 * i, y: -0.02, z: 1 })),
  });

/** Sets the CRC right again after a deliberate change, so the frame fails later checks, not the CRC. */
function reseal(f: Buffer): Buffer {
  const len = f.length - HEADER_BYTES - CRC_BYTES;
  f.writeUInt16BE(crc16ccitt(f, 2, HEADER_BYTES + len), HEADER_BYTES + len);
  return f;
}

function noise(r: Rand, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** One damaged input, derived from a plausible frame the way a bad radio link or a wrong device would. */
function hostile(r: Rand, i: number): Buffer {
  const f = accel(i, i * 200, 1 + Math.floor(r() * 32));
  switch (Math.floor(r() * 9)) {
    case 0: // one bit flipped
      f[2 + Math.floor(r() * (f.length - 2))]! ^= 1 << Math.floor(r() * 8);
      return f;
    case 1: // cut short
      return f.subarray(0, Math.floor(r() * f.length));
    case 2: {
      const at = 2 + Math.floor(r() * (f.length - 2));
      return Buffer.concat([f.subarray(0, at), noise(r, 1 + Math.floor(r() * 24)), f.subarray(at)]);
    }
    case 3: // a length byte beyond any frame
      f[4] = MAX_PAYLOAD + 1 + Math.floor(r() * (255 - MAX_PAYLOAD));
      return f;
    case 4: // unknown type, correct CRC
      f[2] = 0x10 + Math.floor(r() * 0x60);
      return reseal(f);
    case 5: // impossible payload (sample count disagrees with the length), correct CRC
      f[HEADER_BYTES + 6] = 33 + Math.floor(r() * 200);
      return reseal(f);
    case 6: // sync words with nothing behind them
      return Buffer.from([SYNC0, SYNC1, SYNC0, SYNC0, SYNC1]);
    case 7: // a header claiming a long frame whose bytes never come
      return Buffer.from([SYNC0, SYNC1, 0x01, i & 0xff, MAX_PAYLOAD]);
    default:
      return noise(r, Math.floor(r() * 120));
  }
}

describe('wristband serial line under hostile bytes (real pty)', () => {
  it(`delivers all ${GOOD} good frames in order among ${HOSTILE} damaged ones, counting each by reason`, async () => {
    const { tx, bus, driver } = await startBandLine(cleanups);
    const good: number[] = [];
    let otherReadings = 0;
    bus.subscribe('home/band1/accel', (_t, p) => {
      const r = p as AccelReading;
      if (r.tMs >= GOOD_T0) good.push(r.tMs);
      else otherReadings++;
    });

    // The stream: hostile inputs with a good frame after every few, then padding that flushes any
    // header still waiting for its claimed length.
    const r = mulberry32(SEED);
    const parts: Buffer[] = [];
    const expected: number[] = [];
    for (let h = 0, g = 0; h < HOSTILE || g < GOOD; ) {
      if (g < GOOD && (h >= HOSTILE || r() < GOOD / (GOOD + HOSTILE))) {
        const tMs = GOOD_T0 + g * 200;
        parts.push(accel(g, tMs));
        expected.push(tMs);
        g++;
      } else {
        parts.push(hostile(r, h++));
      }
    }
    parts.push(Buffer.alloc(HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES));
    const stream = Buffer.concat(parts);

    const port = await openSerial(tx, cleanups);
    for (let at = 0; at < stream.length; ) {
      const n = 1 + Math.floor(r() * 700);
      await writeSerial(port, stream.subarray(at, at + n));
      at += n;
    }
    await new Promise<void>((res) => port.drain(() => res()));

    await waitFor(() => good.length >= GOOD, 60_000, `${GOOD} good readings (have ${good.length})`);
    expect(good).toEqual(expected);
    const c = driver.health().counters;
    console.log(
      `serial-fuzz bytes=${stream.length} good=${good.length}/${GOOD} hostile=${HOSTILE} ` +
        `rejected crc=${c.crc} length=${c.length} unknown_type=${c.unknown_type} bad_payload=${c.bad_payload} ` +
        `decoded_from_damage=${otherReadings} state=${driver.health().state}`,
    );
    expect(driver.health().state).toBe('up');
    // Each kind of damage was seen and counted under its own reason; the total is the driver's count.
    const reasons = ['crc', 'length', 'unknown_type', 'bad_payload'] as const;
    for (const reason of reasons) expect(c[reason], reason).toBeGreaterThan(0);
    expect(c.badFrames).toBe(reasons.reduce((sum, reason) => sum + (c[reason] ?? 0), 0));
  }, 120_000);
});
