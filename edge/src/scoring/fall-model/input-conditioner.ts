import type { AccelSample } from '../scorer.ts';
import { clipSample } from './input-clip.ts';

/**
 * What is done to the band's stream before the gate and the features (manifest `input`), identically on the
 * live stream and on every training window, so that the model learns from what it will be shown.
 */
export interface InputConditioning {
  /** Each axis clipped to ±clipG (input-clip.ts); absent = no clipping. */
  clipG?: number;
  /**
   * Cut-off of a 4th-order Butterworth low-pass applied to each axis after clipping; absent = none.
   * The wrist sources were recorded at 15–70 Hz and resampled to 50 Hz, so what lies above the slowest
   * source's bandwidth (~8 Hz) tells the source, not the movement — WEDA-FALL's falls were recorded at 40 Hz
   * and its ADLs at 50 Hz, so without the filter "upsampled from 40 Hz" would read as "fall".
   */
  lowPassHz?: number;
}

/** One biquad section (transposed direct form II), one state per axis. */
interface Section {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * A 4th-order Butterworth low-pass as two biquads (bilinear transform, cut-off pre-warped). Its Q values are
 * those of the 4th-order Butterworth poles: 1 / (2 cos(π/8)) and 1 / (2 cos(3π/8)).
 */
export function butterworthSections(cutoffHz: number, rateHz: number): Section[] {
  if (!(cutoffHz > 0 && cutoffHz < rateHz / 2))
    throw new RangeError(`low-pass cut-off ${cutoffHz} Hz must lie in (0, ${rateHz / 2}) Hz`);
  const k = Math.tan((Math.PI * cutoffHz) / rateHz);
  return [Math.PI / 8, (3 * Math.PI) / 8].map((angle) => {
    const q = 1 / (2 * Math.cos(angle));
    const norm = 1 / (1 + k / q + k * k);
    const b0 = k * k * norm;
    return { b0, b1: 2 * b0, b2: b0, a1: 2 * (k * k - 1) * norm, a2: (1 - k / q + k * k) * norm };
  });
}

/**
 * Streaming input conditioning: clip, then low-pass, one sample at a time (causal, so the gateway can run it
 * on the live stream). The filter starts in the steady state of the first sample it sees — gravity is already
 * there when the band starts streaming, and a filter starting from zero would ring up to 1 g and open the
 * gate on nothing.
 */
export class InputConditioner {
  private readonly sections: Section[];
  /** Two state values per section per axis. */
  private readonly state: Float64Array;
  private primed = false;

  constructor(
    readonly conditioning: InputConditioning,
    rateHz: number,
  ) {
    this.sections =
      conditioning.lowPassHz === undefined ? [] : butterworthSections(conditioning.lowPassHz, rateHz);
    this.state = new Float64Array(this.sections.length * 6);
  }

  get identity(): boolean {
    return this.conditioning.clipG === undefined && this.sections.length === 0;
  }

  push(sample: AccelSample): AccelSample {
    const { clipG } = this.conditioning;
    const s = clipG === undefined ? sample : clipSample(sample, clipG);
    if (this.sections.length === 0) return s;
    if (!this.primed) this.prime(s);
    return { tMs: s.tMs, x: this.filter(0, s.x), y: this.filter(1, s.y), z: this.filter(2, s.z) };
  }

  reset(): void {
    this.primed = false;
  }

  /** The whole of a recording, as the scorer would see it sample by sample (a fresh conditioner). */
  static apply(
    conditioning: InputConditioning,
    rateHz: number,
    samples: readonly AccelSample[],
  ): AccelSample[] {
    const c = new InputConditioner(conditioning, rateHz);
    return c.identity ? [...samples] : samples.map((s) => c.push(s));
  }

  private filter(axis: number, x: number): number {
    let v = x;
    this.sections.forEach((sec, i) => {
      const at = (i * 3 + axis) * 2;
      const y = sec.b0 * v + this.state[at]!;
      this.state[at] = sec.b1 * v - sec.a1 * y + this.state[at + 1]!;
      this.state[at + 1] = sec.b2 * v - sec.a2 * y;
      v = y;
    });
    return v;
  }

  /** Sets every section's state to its steady state for a constant input equal to `s`. */
  private prime(s: AccelSample): void {
    this.sections.forEach((sec, i) => {
      [s.x, s.y, s.z].forEach((x, axis) => {
        const at = (i * 3 + axis) * 2;
        // Unity DC gain: each section's output equals its input at rest.
        this.state[at + 1] = (sec.b2 - sec.a2) * x;
        this.state[at] = (sec.b1 - sec.a1) * x + this.state[at + 1]!;
      });
    });
    this.primed = true;
  }
}
