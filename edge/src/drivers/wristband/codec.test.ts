import { describe, expect, it } from 'vitest';
import {
  crc16ccitt,
  type DownlinkFrame,
  decodeDownlinkPayload,
  encodeFrame,
  encodePrompt,
  encodeVibrate,
  FrameDecoder,
  MAX_PAYLOAD,
  type WristbandFrame,
} from './codec.ts';

const accel = (seq: number, tMs = 1000): WristbandFrame => ({
  type: 'accel',
  seq,
  tMs,
  intervalMs: 20,
  samples: [
    { tMs, x: 0.01, y: -0.98, z: 0.12 },
    { tMs: tMs + 20, x: 2.5, y: -3.1, z: 0.5 },
  ],
});

describe('wristband frame codec', () => {
  it('computes CRC-16/CCITT-FALSE as published (check value of "123456789" is 0x29B1)', () => {
    expect(crc16ccitt(Buffer.from('123456789'))).toBe(0x29b1);
  });

  it('round-trips every frame type', () => {
    const frames: WristbandFrame[] = [
      accel(0),
      { type: 'heartRate', seq: 1, tMs: 5, bpm: 72, quality: 90 },
      { type: 'battery', seq: 2, tMs: 6, percent: 81 },
      { type: 'button', seq: 3, tMs: 7, button: 'sos' },
      { type: 'button', seq: 4, tMs: 8, button: 'ok' },
    ];
    const d = new FrameDecoder();
    const out = d.push(Buffer.concat(frames.map(encodeFrame)));
    expect(out).toEqual(frames);
    expect(d.stats.frames).toBe(5);
  });

  it('reassembles frames split across reads at every byte boundary', () => {
    const bytes = Buffer.concat([encodeFrame(accel(0)), encodeFrame(accel(1, 1040))]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(out.map((f) => f.seq)).toEqual([0, 1]);
    }
  });

  it('skips a frame with a bad checksum and keeps the good frames around it', () => {
    const bad = encodeFrame(accel(1));
    bad[10] = (bad[10]! + 1) & 0xff;
    const reasons: string[] = [];
    const d = new FrameDecoder((r) => reasons.push(r));
    const out = d.push(Buffer.concat([encodeFrame(accel(0)), bad, encodeFrame(accel(2))]));
    expect(out.map((f) => f.seq)).toEqual([0, 2]);
    expect(reasons).toEqual(['crc']);
    expect(d.stats.seqGaps).toBe(1);
  });

  it('resynchronises after line noise and truncated frames', () => {
    const d = new FrameDecoder();
    const truncated = encodeFrame(accel(1)).subarray(0, 9);
    const noise = Buffer.from([0x00, 0xa5, 0x13, 0xff, 0xa5, 0xa5]);
    const out = d.push(
      Buffer.concat([
        noise,
        encodeFrame(accel(0)),
        truncated,
        encodeFrame(accel(2)),
        noise,
        encodeFrame(accel(3)),
      ]),
    );
    expect(out.map((f) => f.seq)).toEqual([0, 2, 3]);
  });

  it('rejects well-formed frames with impossible payloads, with a reason', () => {
    const d = new FrameDecoder();
    const unknown = encodeFrame({ type: 'battery', seq: 0, tMs: 1, percent: 5 });
    unknown[2] = 0x7f; // unknown type, CRC recomputed below
    unknown.writeUInt16BE(crc16ccitt(unknown, 2, unknown.length - 2), unknown.length - 2);
    const battery = encodeFrame({ type: 'battery', seq: 1, tMs: 1, percent: 5 });
    battery[9] = 250; // > 100 %
    battery.writeUInt16BE(crc16ccitt(battery, 2, battery.length - 2), battery.length - 2);
    expect(d.push(Buffer.concat([unknown, battery, encodeFrame(accel(2))])).map((f) => f.seq)).toEqual([2]);
    expect(d.stats.rejected).toMatchObject({ unknown_type: 1, bad_payload: 1 });
  });

  it('never throws and never loses the frame after thousands of random and mutated inputs', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const good = encodeFrame(accel(9));
    for (let i = 0; i < 3000; i++) {
      const junk = Buffer.alloc(Math.floor(rand() * 80));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(rand() * 256);
      if (i % 2) {
        const mutated = encodeFrame(accel(i & 0xff));
        const at = Math.floor(rand() * mutated.length);
        mutated[at] = mutated[at]! ^ (1 << Math.floor(rand() * 8));
        junk.set(mutated.subarray(0, Math.min(mutated.length, junk.length)));
      }
      const d = new FrameDecoder();
      // Junk ending in a plausible header holds the good frames back until its claimed length has arrived
      // (at most one maximal frame); then its CRC fails and the decoder resyncs onto them.
      const out = d.push(Buffer.concat([junk, good, good, Buffer.alloc(MAX_PAYLOAD + 7)]));
      expect(out.filter((f) => f.seq === 9)).toHaveLength(2);
    }
  });

  it('refuses to encode more samples than a frame holds', () => {
    const samples = Array.from({ length: 33 }, (_, i) => ({ tMs: i, x: 0, y: 0, z: 1 }));
    expect(() => encodeFrame({ type: 'accel', seq: 0, tMs: 0, intervalMs: 20, samples })).toThrow(RangeError);
  });
});

describe('the "I\'m OK" prompt downlink and the band\'s ack', () => {
  it('round-trips prompt start/stop and vibrate frames through the band-side decoder', () => {
    const band = new FrameDecoder<DownlinkFrame>(() => {}, decodeDownlinkPayload);
    const bytes = Buffer.concat([
      encodePrompt(7, 'start', 30),
      encodeVibrate(8, 'alert'),
      encodePrompt(9, 'stop'),
    ]);
    expect([...bytes.subarray(0, 8)]).toEqual([0xa5, 0x5a, 0x82, 7, 3, 1, 30, 0]);
    expect(band.push(bytes)).toEqual([
      { type: 'prompt', seq: 7, action: 'start', seconds: 30 },
      { type: 'vibrate', seq: 8, pattern: 'alert' },
      { type: 'prompt', seq: 9, action: 'stop', seconds: 0 },
    ]);
  });

  it('round-trips the ack uplink frame naming the downlink frame it answers', () => {
    const ack: WristbandFrame = { type: 'ack', seq: 3, tMs: 5000, ackType: 0x82, ackSeq: 7, status: 'done' };
    expect(new FrameDecoder().push(encodeFrame(ack))).toEqual([ack]);
  });

  it('rejects impossible prompts when encoding, and malformed ones on the band side, counting them', () => {
    expect(() => encodePrompt(0, 'start', 0)).toThrow(RangeError);
    expect(() => encodePrompt(0, 'start', 601)).toThrow(RangeError);
    expect(() => encodePrompt(0, 'start', 2.5)).toThrow(RangeError);
    const reasons: string[] = [];
    const band = new FrameDecoder<DownlinkFrame>((r) => reasons.push(r), decodeDownlinkPayload);
    // Valid framing (good CRC) around bad payloads: action 2, start for 0 s, 700 s, a 2-byte payload.
    const raw = (type: number, payload: number[]) => {
      const f = Buffer.from([0xa5, 0x5a, type, 0, payload.length, ...payload, 0, 0]);
      f.writeUInt16BE(crc16ccitt(f, 2, 5 + payload.length), 5 + payload.length);
      return f;
    };
    const out = band.push(
      Buffer.concat([
        raw(0x82, [2, 30, 0]),
        raw(0x82, [1, 0, 0]),
        raw(0x82, [1, 0xbc, 0x02]),
        raw(0x82, [1, 30]),
        raw(0x90, [1]),
        encodePrompt(1, 'start', 5),
      ]),
    );
    expect(out).toEqual([{ type: 'prompt', seq: 1, action: 'start', seconds: 5 }]);
    expect(reasons).toEqual(['bad_payload', 'bad_payload', 'bad_payload', 'bad_payload', 'unknown_type']);
  });
});
