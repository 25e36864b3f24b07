import type { AccelSample } from '../scorer.ts';

/**
 * The cheap gate in front of the model. It watches |a| sample by sample; a sample at or above `gateG`
 * opens a candidate impact, a larger one within `mergeMs` of the OPENING sample replaces it (so the
 * candidate is the local peak), and once `postSamples` samples have arrived after the peak the trigger hands out the window
 * around it: `preSamples` before the peak, the peak, `postSamples` after. The model runs once per window,
 * so at most about once a second however long the band streams, and never while the elder is quiet.
 *
 * A run of ever larger peaks cannot postpone the decision indefinitely: the merge span is counted from the
 * first sample over the gate, never from the latest peak, so a candidate is decided at most
 * `mergeMs` + `postSamples` after the first sample over the gate — with mergeMs 500 ms and 2.5 s after the
 * peak, within 3 s of any impact in the run.
 *
 * Training builds its windows with this same class, so what the model learnt is what the scorer sees.
 */
export interface TriggerParams {
  gateG: number;
  mergeMs: number;
  preSamples: number;
  postSamples: number;
}

/** One window around a candidate impact: interleaved x,y,z (g), the peak at index `preSamples`. */
export interface ImpactWindow {
  xyz: Float32Array;
  peakTMs: number;
  peakG: number;
  /** When the window became complete (the last sample's time). */
  readyTMs: number;
}

// Shared empty result: push() runs 50 times a second and almost never completes a window.
const NO_WINDOWS: readonly ImpactWindow[] = Object.freeze([]);

interface Candidate {
  n: number;
  tMs: number;
  peakG: number;
  /** Time of the sample that opened the candidate: the merge span counts from here. */
  openedTMs: number;
}

export class ImpactTrigger {
  private readonly cap: number;
  private readonly ring: Float32Array;
  private count = 0;
  private open: Candidate | undefined;
  private waiting: Candidate[] = [];

  constructor(readonly params: TriggerParams) {
    // Room for the window plus the merge span that may still move the open candidate.
    this.cap = params.preSamples + params.postSamples + 1 + 256;
    this.ring = new Float32Array(this.cap * 3);
  }

  get windowLength(): number {
    return this.params.preSamples + this.params.postSamples + 1;
  }

  /** Feeds one sample; returns the windows completed by it (usually none, rarely more than one). */
  push(s: AccelSample): readonly ImpactWindow[] {
    const n = this.count++;
    const at = (n % this.cap) * 3;
    this.ring[at] = s.x;
    this.ring[at + 1] = s.y;
    this.ring[at + 2] = s.z;
    const g = Math.sqrt(s.x * s.x + s.y * s.y + s.z * s.z);

    if (this.open && s.tMs - this.open.openedTMs > this.params.mergeMs) {
      this.waiting.push(this.open);
      this.open = undefined;
    }
    if (this.open) {
      if (g > this.open.peakG) this.open = { n, tMs: s.tMs, peakG: g, openedTMs: this.open.openedTMs };
    } else if (g >= this.params.gateG) {
      this.open = { n, tMs: s.tMs, peakG: g, openedTMs: s.tMs };
    }

    let out: ImpactWindow[] | undefined;
    const due = (c: Candidate) => n - c.n >= this.params.postSamples;
    while (this.waiting.length > 0 && due(this.waiting[0]!)) {
      out = out ?? [];
      out.push(this.cut(this.waiting.shift()!, s.tMs));
    }
    // A candidate can also complete while still open when postSamples spans less than mergeMs.
    if (this.open && due(this.open)) {
      out = out ?? [];
      out.push(this.cut(this.open, s.tMs));
      this.open = undefined;
    }
    return out ?? NO_WINDOWS;
  }

  /** True while a candidate impact waits for its window to complete (a decision is still to come). */
  get pending(): boolean {
    return this.open !== undefined || this.waiting.length > 0;
  }

  reset(): void {
    this.count = 0;
    this.open = undefined;
    this.waiting = [];
  }

  private cut(c: Candidate, readyTMs: number): ImpactWindow {
    const { preSamples } = this.params;
    const len = this.windowLength;
    const xyz = new Float32Array(len * 3);
    // Before the first sample (a peak right after a reset) the window repeats the oldest sample.
    const oldest = Math.max(0, this.count - this.cap);
    for (let i = 0; i < len; i++) {
      const n = Math.max(oldest, c.n - preSamples + i);
      const from = (n % this.cap) * 3;
      xyz[i * 3] = this.ring[from]!;
      xyz[i * 3 + 1] = this.ring[from + 1]!;
      xyz[i * 3 + 2] = this.ring[from + 2]!;
    }
    return { xyz, peakTMs: c.tMs, peakG: c.peakG, readyTMs };
  }
}
