import { findImpact, readRecording, resample } from '../datasets/falls.ts';
import { encodeFrame } from '../drivers/wristband/codec.ts';
import { BAND_RATE_HZ } from '../scoring/scorer.ts';

export interface ReplayPlanOptions {
  /** Samples per accel frame: 10 at 50 Hz is five frames a second, as the band sends. */
  samplesPerFrame?: number;
  /** Press "I'm OK" this many seconds after the impact (the magnitude peak). */
  okAfterImpactS?: number | undefined;
  /** Press SOS at this many seconds into the recording. */
  sosAtS?: number | undefined;
  /** Band clock at the first sample, ms. */
  bandStartMs?: number;
}

export interface TimedFrame {
  /** When to send it, ms from the start of the replay at speed 1. */
  atMs: number;
  bytes: Buffer;
  kind: 'accel' | 'ok' | 'sos';
}

/** Turns a recording into the frames a band would have sent, resampled to the band's rate. */
export function planReplay(
  file: string,
  o: ReplayPlanOptions = {},
): { frames: TimedFrame[]; impactMs: number; durationMs: number } {
  const per = o.samplesPerFrame ?? 10;
  const samples = resample(readRecording(file), BAND_RATE_HZ);
  const t0 = samples[0]!.tMs;
  const band0 = o.bandStartMs ?? 0;
  const impact = findImpact(samples);
  const frames: TimedFrame[] = [];
  let seq = 0;
  for (let i = 0; i < samples.length; i += per) {
    const chunk = samples.slice(i, i + per).map((s) => ({ ...s, tMs: s.tMs - t0 + band0 }));
    const last = chunk[chunk.length - 1]!;
    frames.push({
      atMs: last.tMs - band0,
      kind: 'accel',
      bytes: encodeFrame({
        type: 'accel',
        seq: seq++,
        tMs: chunk[0]!.tMs,
        intervalMs: 1000 / BAND_RATE_HZ,
        samples: chunk,
      }),
    });
  }
  const button = (atMs: number, which: 'ok' | 'sos') =>
    frames.push({
      atMs,
      kind: which,
      bytes: encodeFrame({ type: 'button', seq: seq++, tMs: band0 + atMs, button: which }),
    });
  if (o.okAfterImpactS !== undefined) button(impact.tMs - t0 + o.okAfterImpactS * 1000, 'ok');
  if (o.sosAtS !== undefined) button(o.sosAtS * 1000, 'sos');
  frames.sort((a, b) => a.atMs - b.atMs);
  return { frames, impactMs: impact.tMs - t0, durationMs: samples[samples.length - 1]!.tMs - t0 };
}
