import { BINS, MIN_GAP_MIN, silenceBin } from './routine.model.ts';

/**
 * Time to the next sign of life after a given one — *every* gap, the short ones too — keyed by what changed
 * last, at three levels: the device and its new state (`bath_pir:off`), its role and room
 * (`motion:off@bathroom`), and the whole home (`*`). By the hour the gap began (±3 h pooled).
 *
 * Why the short gaps: after a flush, a fridge door or a bed exit the next change usually comes within
 * minutes; what makes a long silence after it unusual is how *rarely* a gap that follows it lasts ≥ 5 min
 * at all. The routine and context models learn only gaps ≥ 5 min (their shape); this one adds how often
 * a context gets that far, so a context that is almost always followed within minutes may alert at a
 * lower quantile of its long gaps (`InactivityScorer`, `gapQuantile`).
 *
 * A device re-firing within 5 min (a PIR's own on/off, a chattering mat) is the same activity going on:
 * such a gap is not counted as a quick follow-up, so a PIR firing alone every few seconds cannot make
 * its context look "always followed within minutes".
 */
const HOURS = 24;
const KERNEL = [0.15, 0.35, 0.7, 1, 0.7, 0.35, 0.15];
/** Index of the "followed within MIN_GAP_MIN" count, after the BINS of long gaps. */
const SHORT = BINS;
const WIDTH = BINS + 1;
/** A home has a few dozen devices × 2 states; more (a misconfigured gateway) are not learned. */
const MAX_KEYS = 160;

export const HOME_KEY = '*';

export interface NextEventModelState {
  v: 1;
  /** [key, sparse [index, count] pairs]. */
  keys: [string, [number, number][]][];
}

export interface GapHistogram {
  /** Counts of gaps ≥ MIN_GAP_MIN by log bin (BINS), pooled ±3 h. */
  long: Float64Array;
  /** Pooled count of gaps ≥ MIN_GAP_MIN. */
  longMass: number;
  /** Pooled count of gaps < MIN_GAP_MIN that ended at another device (a quick follow-up). */
  shortMass: number;
}

/** The device-level key of a change: the device and its new state. */
export function deviceKey(deviceId: string, active: boolean): string {
  return `${deviceId}:${active ? 'on' : 'off'}`;
}

export class NextEventModel {
  private readonly counts = new Map<string, Float64Array>();

  decay(f: number): void {
    for (const a of this.counts.values()) for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) * f;
  }

  /** A gap of `min` minutes that began at local `hour` after `keys`; `sameDevice`: it ended at the same device. */
  learn(keys: readonly string[], hour: number, min: number, sameDevice: boolean): void {
    if (min < MIN_GAP_MIN && sameDevice) return;
    const idx = hour * WIDTH + (min < MIN_GAP_MIN ? SHORT : silenceBin(min));
    for (const key of keys) {
      let a = this.counts.get(key);
      if (!a) {
        if (this.counts.size >= MAX_KEYS) continue;
        a = new Float64Array(HOURS * WIDTH);
        this.counts.set(key, a);
      }
      a[idx] = (a[idx] ?? 0) + 1;
    }
  }

  histogram(key: string, hour: number): GapHistogram {
    const long = new Float64Array(BINS);
    let longMass = 0;
    let shortMass = 0;
    const a = this.counts.get(key);
    if (!a) return { long, longMass, shortMass };
    const half = (KERNEL.length - 1) / 2;
    for (let d = -half; d <= half; d++) {
      const w = KERNEL[d + half] ?? 0;
      const base = ((hour + d + HOURS) % HOURS) * WIDTH;
      for (let k = 0; k < BINS; k++) {
        const c = w * (a[base + k] ?? 0);
        long[k] = (long[k] ?? 0) + c;
        longMass += c;
      }
      shortMass += w * (a[base + SHORT] ?? 0);
    }
    return { long, longMass, shortMass };
  }

  toJSON(): NextEventModelState {
    const keys: NextEventModelState['keys'] = [];
    for (const [key, a] of this.counts) {
      const pairs: [number, number][] = [];
      for (let i = 0; i < a.length; i++) {
        const c = a[i] ?? 0;
        if (c >= 1e-4) pairs.push([i, Math.round(c * 1e4) / 1e4]);
      }
      keys.push([key, pairs]);
    }
    return { v: 1, keys };
  }

  static fromJSON(state: NextEventModelState | undefined): NextEventModel {
    const m = new NextEventModel();
    if (!state) return m;
    if (state.v !== 1) throw new Error(`next-event model state v${String(state.v)} is not supported`);
    for (const [key, pairs] of state.keys.slice(0, MAX_KEYS)) {
      const a = new Float64Array(HOURS * WIDTH);
      for (const [i, c] of pairs) if (i >= 0 && i < a.length) a[i] = c;
      m.counts.set(key, a);
    }
    return m;
  }
}
