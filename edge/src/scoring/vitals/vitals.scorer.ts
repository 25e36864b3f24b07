import type { Evidence, VitalsLimits } from '../../../../contracts/src/index.ts';

export type LimitsSource = 'desk' | 'config' | 'learned' | 'default';

export interface VitalsScorerConfig {
  heartRateLow?: number | undefined;
  heartRateHigh?: number | undefined;
  defaultLow: number;
  defaultHigh: number;
  sustainedS: number;
  minQuality: number;
  maxGapS: number;
  learnMinReadings: number;
}

/** What survives a restart: the desk's limits and the learned histogram (counts per bpm 0..255). */
export interface VitalsState {
  desk?: VitalsLimits | undefined;
  histogram?: number[] | undefined;
}

export interface VitalsAlarm {
  /** When the run outside the limits began (wall clock ms). */
  sinceMs: number;
  evidence: Evidence;
}

/** Margins around the learned 1st..99th percentiles: the person's own range, with room for a normal day. */
const LEARN_MARGIN_LOW = 10;
const LEARN_MARGIN_HIGH = 20;

/**
 * Heart rate outside the resident's limits, sustained (issue 16). Limits, first that applies: the desk's
 * (vitals_limits command), the gateway config's, the person's own learned range (1st..99th percentile of
 * their good readings, widened), the defaults. An alarm needs every good reading for `sustainedS` on the
 * same side of the limits (one in-range reading or a gap of maxGapS starts over), so a single outlier never
 * raises; after an alarm, the next needs the heart rate back in range for sustainedS first: one event per
 * episode, not one per reading. Readings below minQuality (loose band, motion) are not judged.
 */
export class VitalsScorer {
  private desk: VitalsLimits | undefined;
  private readonly histogram: number[];
  private learnedTotal = 0;
  private run: { side: 'low' | 'high'; sinceMs: number; count: number; extreme: number } | undefined;
  private lastGoodMs: number | undefined;
  private fired = false;
  private inRangeSinceMs: number | undefined;
  lastBpm: number | undefined;

  constructor(
    private readonly config: VitalsScorerConfig,
    state: VitalsState = {},
  ) {
    this.desk = state.desk;
    this.histogram =
      Array.isArray(state.histogram) &&
      state.histogram.length === 256 &&
      state.histogram.every((n) => Number.isInteger(n) && n >= 0)
        ? [...state.histogram]
        : new Array<number>(256).fill(0);
    this.learnedTotal = this.histogram.reduce((a, b) => a + b, 0);
  }

  setDeskLimits(limits: VitalsLimits): void {
    this.desk = limits;
    this.run = undefined; // judged afresh against the new limits
  }

  state(): VitalsState {
    return { desk: this.desk, histogram: [...this.histogram] };
  }

  limits(): { low: number; high: number; sustainedS: number; source: LimitsSource } {
    const c = this.config;
    if (this.desk)
      return {
        low: this.desk.heartRateLow,
        high: this.desk.heartRateHigh,
        sustainedS: this.desk.sustainedS,
        source: 'desk',
      };
    if (c.heartRateLow !== undefined || c.heartRateHigh !== undefined)
      return {
        low: c.heartRateLow ?? c.defaultLow,
        high: c.heartRateHigh ?? c.defaultHigh,
        sustainedS: c.sustainedS,
        source: 'config',
      };
    const learned = this.learned();
    if (learned) return { ...learned, sustainedS: c.sustainedS, source: 'learned' };
    return { low: c.defaultLow, high: c.defaultHigh, sustainedS: c.sustainedS, source: 'default' };
  }

  private learned(): { low: number; high: number } | undefined {
    if (this.config.learnMinReadings <= 0 || this.learnedTotal < this.config.learnMinReadings)
      return undefined;
    const pct = (p: number) => {
      let acc = 0;
      const target = p * this.learnedTotal;
      for (let bpm = 0; bpm < 256; bpm++) {
        acc += this.histogram[bpm]!;
        if (acc >= target) return bpm;
      }
      return 255;
    };
    const low = Math.max(30, pct(0.01) - LEARN_MARGIN_LOW);
    const high = Math.min(200, pct(0.99) + LEARN_MARGIN_HIGH);
    return high - low >= 20 ? { low, high } : undefined;
  }

  /** One heart-rate reading (wall clock ms); an alarm when a sustained run outside the limits completes. */
  push(nowMs: number, bpm: number, quality: number): VitalsAlarm | undefined {
    if (quality < this.config.minQuality || bpm <= 0) return undefined;
    const c = this.config;
    if (this.lastGoodMs !== undefined && nowMs - this.lastGoodMs > c.maxGapS * 1000) this.run = undefined;
    this.lastGoodMs = nowMs;
    this.lastBpm = bpm;
    const lim = this.limits();
    // Learn only from readings the current limits call normal: an episode must not widen its own limits.
    if (bpm >= lim.low && bpm <= lim.high && bpm < 256) {
      this.histogram[bpm]!++;
      this.learnedTotal++;
    }
    const side = bpm < lim.low ? 'low' : bpm > lim.high ? 'high' : undefined;
    if (!side) {
      this.run = undefined;
      this.inRangeSinceMs ??= nowMs;
      if (this.fired && nowMs - this.inRangeSinceMs >= lim.sustainedS * 1000) this.fired = false;
      return undefined;
    }
    this.inRangeSinceMs = undefined;
    if (!this.run || this.run.side !== side) this.run = { side, sinceMs: nowMs, count: 0, extreme: bpm };
    const run = this.run;
    run.count++;
    run.extreme = side === 'low' ? Math.min(run.extreme, bpm) : Math.max(run.extreme, bpm);
    const forMs = nowMs - run.sinceMs;
    if (this.fired || forMs < lim.sustainedS * 1000 || run.count < 3) return undefined;
    this.fired = true;
    return {
      sinceMs: run.sinceMs,
      evidence: {
        value: bpm,
        low: lim.low,
        high: lim.high,
        sustainedS: Math.round(forMs / 1000),
        side,
        extreme: run.extreme,
        readings: run.count,
        limitsSource: lim.source,
      },
    };
  }
}
