/**
 * The home's routine as the length of its silences: for each hour of the day (weekday / weekend) in which a
 * silence began, a histogram of how long silences at home lasted. Silences shorter than `MIN_GAP_MIN`
 * are not counted: they say nothing about the tail, and counting them would make a home with chatty
 * motion sensors look "quieter than usual" sooner.
 *
 * - Forgetting: every local day all counts are multiplied by 2^(-1/halfLifeDays), so the model follows a
 *   routine that changes over weeks.
 * - Prior: fixed pseudo-counts from a default routine (short silences by day, long ones at night), never
 *   forgotten, so the first days are sane and a quiet slot never has an empty histogram.
 * - Query: the hour's histogram pooled with its neighbours (±2 h) and, at a lower weight, the other day
 *   type (weekends are few).
 */

export const MIN_GAP_MIN = 5;
const MAX_GAP_MIN = 2880;
export const BINS = 48;
const LOG_RATIO = Math.log(MAX_GAP_MIN / MIN_GAP_MIN) / BINS;
const HOURS = 24;
const DAY_TYPES = 2;

/** Lower edge of bin k in minutes (k = BINS is the upper edge of the last bin). */
export function binEdgeMin(k: number): number {
  return MIN_GAP_MIN * Math.exp(k * LOG_RATIO);
}

function binOf(min: number): number {
  if (min <= MIN_GAP_MIN) return 0;
  return Math.min(BINS - 1, Math.floor(Math.log(min / MIN_GAP_MIN) / LOG_RATIO));
}

export interface RoutineModelOptions {
  /** Counts halve over this many days (default 21). */
  halfLifeDays?: number;
  /** Pseudo-silences of the default routine in each hour slot and day type (default 3). */
  priorWeight?: number;
}

/** What the home's sensors can see: sleep (a bed mat) and sitting (a seat mat). `true`: a bed mat, sitting seen. */
export type Visible = boolean | { sleep: boolean; sitting: boolean };

function visibility(v: Visible): { sleep: boolean; sitting: boolean } {
  return typeof v === 'boolean' ? { sleep: v, sitting: true } : v;
}

/** A log-normal share of the default routine: weight, median (min), log-spread. */
interface PriorPart {
  w: number;
  medianMin: number;
  sigma: number;
}

/** Share of the waking silences that are a sit (TV, reading) where no seat mat shows it (see `priorParts`). */
export const UNSEEN_SIT_SHARE = 0.15;

/**
 * The default routine's silences that begin at local hour h. Without a bed mat, sleep is one long silence at
 * night; with one, sleep is visible (the mat is held) and the silences left at night are the short ones of a
 * person up at night. Without a seat mat, sitting is invisible too: some waking silences are an hour or two
 * on the sofa (TV afternoons of 2–3 h raised the warm-up false alarms of homes without one).
 */
function priorParts(h: number, v: { sleep: boolean; sitting: boolean }): PriorPart[] {
  let base: PriorPart;
  if (v.sleep)
    base = h >= 23 || h < 6 ? { w: 1, medianMin: 30, sigma: 1.0 } : { w: 1, medianMin: 20, sigma: 0.8 };
  else if (h >= 23 || h < 5)
    return [{ w: 1, medianMin: 240, sigma: 0.9 }]; // asleep
  else if (h >= 21 || h < 7)
    base = { w: 1, medianMin: 60, sigma: 1.2 }; // going to bed / waking
  else base = { w: 1, medianMin: 20, sigma: 0.8 }; // awake
  const awake = h >= 7 && h < 23;
  if (v.sitting || !awake) return [base];
  return [
    { ...base, w: 1 - UNSEEN_SIT_SHARE },
    { w: UNSEEN_SIT_SHARE, medianMin: SIT_MEDIAN_MIN, sigma: 0.6 },
  ];
}

/** Median (min) of a sit nobody sees. */
export const SIT_MEDIAN_MIN = 75;

function normCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 via erf; plenty for a prior.
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

function buildPrior(weight: number, v: { sleep: boolean; sitting: boolean }): Float64Array {
  const prior = new Float64Array(HOURS * BINS);
  for (let h = 0; h < HOURS; h++) {
    for (const { w, medianMin, sigma } of priorParts(h, v)) {
      // Conditional on the silence being at least MIN_GAP_MIN long, as the data are.
      const z0 = normCdf(Math.log(MIN_GAP_MIN / medianMin) / sigma);
      for (let k = 0; k < BINS; k++) {
        const lo = k === 0 ? MIN_GAP_MIN : binEdgeMin(k);
        const hi = k === BINS - 1 ? Number.POSITIVE_INFINITY : binEdgeMin(k + 1);
        const p = normCdf(Math.log(hi / medianMin) / sigma) - normCdf(Math.log(lo / medianMin) / sigma);
        prior[h * BINS + k] = (prior[h * BINS + k] ?? 0) + (weight * w * p) / (1 - z0);
      }
    }
  }
  return prior;
}

const KERNEL = [0.2, 0.5, 1, 0.5, 0.2];
const KERNEL_SUM = KERNEL.reduce((a, b) => a + b, 0);

/** Minutes by which a fraction `q` of a silence histogram (BINS log bins) had ended. */
export function histogramQuantileMin(h: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let k = 0; k < BINS; k++) total += h[k] ?? 0;
  const target = q * total;
  let acc = 0;
  for (let k = 0; k < BINS; k++) {
    const c = h[k] ?? 0;
    if (acc + c >= target && c > 0) {
      // Geometric interpolation inside the bin.
      const frac = (target - acc) / c;
      return binEdgeMin(k) * Math.exp(frac * LOG_RATIO);
    }
    acc += c;
  }
  return MAX_GAP_MIN;
}

/** Bin of a silence of `min` minutes (silences under MIN_GAP_MIN are not binned). */
export function silenceBin(min: number): number {
  return binOf(min);
}
const OTHER_DAY_TYPE_WEIGHT = 0.35;

export interface RoutineModelState {
  v: 1;
  halfLifeDays: number;
  priorWeight: number;
  lastDayIndex: number | null;
  /** Silences learned so far (decayed), as sparse [index, count] pairs. */
  counts: [number, number][];
  learned: number;
  /** Days observed, forgotten like the counts (absent in states saved before it: estimated). */
  dayMass?: number;
}

/** How `budgetThresholdMin` extrapolates the tail of a slot's silences (see there). */
export interface TailBudget {
  /** Expected false alarms per 30 days from ordinary silences, all hours together. */
  per30Days: number;
  /** The tail is modelled above this quantile of the slot's silences (default 0.8). */
  from?: number;
  /** Weight, in pseudo-silences, of the default routine's mean excess in the tail's scale (default 4). */
  priorWeight?: number;
  /** How the budget is shared between the hours: equally, or in proportion to their tails' scale. */
  spread?: 'equal' | 'scale';
}

export class RoutineModel {
  readonly halfLifeDays: number;
  readonly priorWeight: number;
  private readonly counts = new Float64Array(DAY_TYPES * HOURS * BINS);
  /** Default routines by what the sensors see (index: sleep + 2 × sitting), built when first needed. */
  private readonly priors: (Float64Array | undefined)[] = [];
  private lastDayIndex: number | null = null;
  /** Days observed, decayed like the counts: silences per day of a slot = its learned mass / this. */
  private dayMass = 0;
  /** Silences learned in all (not decayed): the model's experience, for evidence. */
  private learnedTotal = 0;
  private readonly pooled = new Float64Array(BINS);

  constructor(options: RoutineModelOptions = {}) {
    this.halfLifeDays = options.halfLifeDays ?? 21;
    this.priorWeight = options.priorWeight ?? 3;
  }

  private priorFor(visible: Visible): Float64Array {
    const v = visibility(visible);
    const i = (v.sleep ? 1 : 0) + (v.sitting ? 2 : 0);
    let p = this.priors[i];
    if (!p) {
      p = buildPrior(this.priorWeight, v);
      this.priors[i] = p;
    }
    return p;
  }

  get learned(): number {
    return this.learnedTotal;
  }

  /** Applies forgetting for every local day passed since the last call; returns the factor applied. */
  advanceToDay(dayIndex: number): number {
    if (this.lastDayIndex === null) {
      this.lastDayIndex = dayIndex;
      this.dayMass = 1;
      return 1;
    }
    const days = dayIndex - this.lastDayIndex;
    if (days <= 0) return 1;
    const f = 2 ** (-days / this.halfLifeDays);
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = (this.counts[i] ?? 0) * f;
    // Each day passed adds one day, decayed with the days after it (a geometric sum).
    const g = 2 ** (-1 / this.halfLifeDays);
    this.dayMass = this.dayMass * f + (1 - f) / (1 - g);
    this.lastDayIndex = dayIndex;
    return f;
  }

  /** Learns one completed silence at home that began at local `hour` of a weekend day or not. */
  learn(weekend: boolean, hour: number, durationMin: number): void {
    if (durationMin < MIN_GAP_MIN) return;
    const i = ((weekend ? 1 : 0) * HOURS + hour) * BINS + binOf(durationMin);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.learnedTotal++;
  }

  private pool(weekend: boolean, hour: number, sleepVisible: Visible): Float64Array {
    const out = this.pooled;
    out.fill(0);
    this.addLearned(out, weekend, hour);
    this.addPrior(out, hour, sleepVisible);
    return out;
  }

  /**
   * The threshold (min) at which ordinary silences of this slot are expected to raise no more than their
   * share (1/24) of `budget.per30Days` false alarms per 30 days, instead of a raw quantile: the 99 %
   * quantile of 2–4 weeks is close to the longest silence seen so far, and a longer one comes (TV
   * afternoons, a late night without a bed mat).
   *
   * Above `u`, the slot's `from` quantile (learned + default routine), the excesses are taken as
   * exponential, of mean `σ` = the learned excesses' mean pooled with the default routine's at
   * `priorWeight` pseudo-silences, so a home with few long silences is not overconfident and the estimate
   * tightens as its data grows. With `r` silences a day beginning in the slot (learned mass / days
   * observed, at least the prior's `priorWeight` a day while little is known), the threshold is
   * `u + σ · ln(P(>u) · r · 30 · 24 / per30Days)`, never below `u`.
   */
  budgetThresholdMin(
    weekend: boolean,
    hour: number,
    budget: TailBudget,
    sleepVisible: Visible = false,
  ): number {
    const t = this.tail(weekend, hour, budget, sleepVisible);
    // The slot's share of the budget: 1/24, or in proportion to its tail's scale (`spread`), which puts
    // the false alarms where each minute of threshold buys least (an evening's long tail) and shortens
    // the thresholds where the tail is steep.
    let share = 1 / HOURS;
    if (budget.spread === 'scale') {
      let sum = 0;
      for (let h = 0; h < HOURS; h++)
        sum += h === hour ? t.sigma : this.tail(weekend, h, budget, sleepVisible).sigma;
      share = sum > 0 ? t.sigma / sum : share;
    }
    const need = (t.overPerDay * 30) / (budget.per30Days * share);
    return need > 1 ? t.u + t.sigma * Math.log(need) : t.u;
  }

  /** The slot's tail: its `from` quantile `u`, the excesses' mean `sigma`, silences a day beyond `u`. */
  private tail(
    weekend: boolean,
    hour: number,
    budget: TailBudget,
    sleepVisible: Visible,
  ): { u: number; sigma: number; overPerDay: number } {
    const from = budget.from ?? 0.8;
    const k0 = budget.priorWeight ?? 4;
    const u = histogramQuantileMin(this.pool(weekend, hour, sleepVisible), from);
    const excess = (h: ArrayLike<number>) => {
      let n = 0;
      let sum = 0;
      for (let k = 0; k < BINS; k++) {
        const c = h[k] ?? 0;
        const lo = Math.max(u, binEdgeMin(k));
        const hi = binEdgeMin(k + 1);
        if (c <= 0 || hi <= u) continue;
        const share = Math.log(hi / lo) / LOG_RATIO;
        n += c * share;
        sum += c * share * (Math.sqrt(lo * hi) - u);
      }
      return { n, sum };
    };
    const l = excess(this.addLearned(new Float64Array(BINS), weekend, hour));
    const p = excess(this.addPrior(new Float64Array(BINS), hour, sleepVisible));
    const priorMean = p.n > 0 ? p.sum / p.n : 0;
    const sigma = Math.max(1, (l.sum + k0 * priorMean) / (l.n + k0));
    // Silences a day beginning in this slot; the default routine counts as one day of `priorWeight`.
    const rate = (this.slotMass(hour) + KERNEL_SUM * this.priorWeight) / (KERNEL_SUM * (this.dayMass + 1));
    return { u, sigma, overPerDay: (1 - from) * rate };
  }

  /** Learned silences beginning in the slot's hours (kernel-weighted, both day types: a rate, not a shape). */
  private slotMass(hour: number): number {
    let m = 0;
    for (let d = -2; d <= 2; d++) {
      const h = (hour + d + HOURS) % HOURS;
      const w = KERNEL[d + 2] ?? 0;
      for (let dt = 0; dt < DAY_TYPES; dt++) {
        const base = (dt * HOURS + h) * BINS;
        for (let k = 0; k < BINS; k++) m += w * (this.counts[base + k] ?? 0);
      }
    }
    return m;
  }

  /** Adds the learned silences of the slot's hours (kernel-weighted; the other day type down-weighted). */
  private addLearned(out: Float64Array, weekend: boolean, hour: number): Float64Array {
    for (let d = -2; d <= 2; d++) {
      const h = (hour + d + HOURS) % HOURS;
      const w = KERNEL[d + 2] ?? 0;
      for (let dt = 0; dt < DAY_TYPES; dt++) {
        const wd = w * (dt === (weekend ? 1 : 0) ? 1 : OTHER_DAY_TYPE_WEIGHT);
        const base = (dt * HOURS + h) * BINS;
        for (let k = 0; k < BINS; k++) out[k] = (out[k] ?? 0) + wd * (this.counts[base + k] ?? 0);
      }
    }
    return out;
  }

  /** Adds the default routine's silences of the slot's hours (kernel-weighted). */
  private addPrior(out: Float64Array, hour: number, sleepVisible: Visible): Float64Array {
    const prior = this.priorFor(sleepVisible);
    for (let d = -2; d <= 2; d++) {
      const h = (hour + d + HOURS) % HOURS;
      const w = KERNEL[d + 2] ?? 0;
      for (let k = 0; k < BINS; k++) out[k] = (out[k] ?? 0) + w * (prior[h * BINS + k] ?? 0);
    }
    return out;
  }

  /** A copy of the pooled histogram (learned + prior) for silences beginning at that hour. */
  histogram(weekend: boolean, hour: number, sleepVisible: Visible = false): Float64Array {
    return Float64Array.from(this.pool(weekend, hour, sleepVisible));
  }

  /**
   * Minutes by which a fraction `q` of this home's silences beginning at that hour had ended.
   * `sleepVisible`: the home has a bed mat (picks the prior).
   */
  quantileMin(weekend: boolean, hour: number, q: number, sleepVisible: Visible = false): number {
    return histogramQuantileMin(this.pool(weekend, hour, sleepVisible), q);
  }

  /** Fraction of this home's silences beginning at that hour that had ended within `min` minutes. */
  cdf(weekend: boolean, hour: number, min: number, sleepVisible: Visible = false): number {
    if (min < MIN_GAP_MIN) return 0;
    const h = this.pool(weekend, hour, sleepVisible);
    let total = 0;
    let below = 0;
    const b = binOf(min);
    for (let k = 0; k < BINS; k++) {
      const c = h[k] ?? 0;
      total += c;
      if (k < b) below += c;
      else if (k === b) below += c * Math.min(1, Math.log(min / binEdgeMin(k)) / LOG_RATIO);
    }
    return total > 0 ? below / total : 0;
  }

  toJSON(): RoutineModelState {
    const counts: [number, number][] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i] ?? 0;
      if (c >= 1e-4) counts.push([i, Math.round(c * 1e4) / 1e4]);
    }
    return {
      v: 1,
      halfLifeDays: this.halfLifeDays,
      priorWeight: this.priorWeight,
      lastDayIndex: this.lastDayIndex,
      counts,
      learned: this.learnedTotal,
      dayMass: Math.round(this.dayMass * 1e4) / 1e4,
    };
  }

  static fromJSON(state: RoutineModelState): RoutineModel {
    if (state.v !== 1) throw new Error(`routine model state v${String(state.v)} is not supported`);
    const m = new RoutineModel({ halfLifeDays: state.halfLifeDays, priorWeight: state.priorWeight });
    m.lastDayIndex = state.lastDayIndex;
    m.learnedTotal = state.learned;
    // Before dayMass was saved: a model that has learned is taken as having seen a few weeks.
    m.dayMass = state.dayMass ?? (state.lastDayIndex === null ? 0 : 14);
    for (const [i, c] of state.counts) if (i >= 0 && i < m.counts.length) m.counts[i] = c;
    return m;
  }
}
