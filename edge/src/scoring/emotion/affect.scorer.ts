import type { ModelInfo } from '../../../../contracts/src/index.ts';
import { EMOTIONS, type Emotion, type Expression, NEGATIVE, topEmotion, valenceOf } from './expressions.ts';

/** One resident's day of faces, in numbers only. */
export interface DailyAffect {
  day: string;
  /** Frames read from enabled cameras that day. */
  frames: number;
  faces: number;
  /** Mean probability per class over the day's faces (sums to 1 when faces > 0). */
  shares: Record<Emotion, number>;
  /** Mean valence −1…1 (expressions.ts VALENCE), undefined without faces. */
  valence: number | undefined;
  /** Mean p(angry) + p(fear) + p(sad). */
  negativeShare: number;
  /** Enough faces to count the day (for the baseline and for a streak). */
  counted: boolean;
}

export interface AffectParams {
  /** A day with fewer faces says nothing (cameras off, down, or nobody home): it is skipped. */
  minFacesPerDay: number;
  /** Counted days needed before the person's own baseline is trusted. */
  baselineMinDays: number;
  /** Baseline: the last N counted days before the current streak. */
  baselineDays: number;
  /** A day is low when negativeShare ≥ baseline mean + max(k·sd, minRise) and ≥ floor. */
  k: number;
  minRise: number;
  floor: number;
  /** Consecutive low counted days that make a sustained change. */
  streakDays: number;
  /** After a low-mood event, none again for this many counted days. */
  cooldownDays: number;
  /** Distress episode: within windowMs, ≥ minFaces faces with ≥ share of them topped by angry/fear/sad at p ≥ minP. */
  distress: { windowMs: number; minFaces: number; share: number; minP: number };
}

export const DEFAULT_AFFECT: AffectParams = {
  minFacesPerDay: 30,
  baselineMinDays: 7,
  baselineDays: 21,
  k: 2,
  minRise: 0.08,
  floor: 0.4,
  streakDays: 3,
  cooldownDays: 7,
  distress: { windowMs: 10 * 60_000, minFaces: 20, share: 0.85, minP: 0.6 },
};

export const AFFECT_MODEL: ModelInfo = { name: 'affect', version: '1.0.0' };

export interface AffectEvent {
  kind: 'emotion';
  severity: 'warning';
  reason: 'sustained_low_mood' | 'distress_episode';
  occurredAtMs: number;
  score: number;
  evidence: Record<string, number | string>;
}

/**
 * Per-frame expressions → a daily affect summary and, rarely, a low-severity event: a sustained change
 * against the person's own baseline (`streakDays` counted days in a row with a clearly higher share of
 * negative expressions), or a distress episode (a run of distressed faces within minutes). Never for one
 * frame; days without enough faces (cameras off or down) neither count nor break a streak. Pure: the
 * gateway and the replay (tools/emotion/replay.ts) run the same code on their own clocks.
 */
export class AffectScorer {
  private day: string | undefined;
  private frames = 0;
  private faces = 0;
  private sums = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  private valenceSum = 0;
  private recent: { tMs: number; distressed: boolean }[] = [];
  private distressRaisedOn: string | undefined;
  private history: number[] = [];
  private streak: DailyAffect[] = [];
  private cooldown = 0;

  constructor(private readonly p: AffectParams = DEFAULT_AFFECT) {}

  /** One analysed frame of an enabled camera: its faces' expressions (possibly none). */
  frame(day: string, tMs: number, faces: readonly Expression[]): AffectEvent | undefined {
    if (this.day === undefined) this.day = day;
    this.frames += 1;
    let event: AffectEvent | undefined;
    for (const e of faces) {
      this.faces += 1;
      for (const k of EMOTIONS) this.sums[k] += e[k];
      this.valenceSum += valenceOf(e);
      const top = topEmotion(e);
      this.recent.push({ tMs, distressed: NEGATIVE.has(top) && e[top] >= this.p.distress.minP });
    }
    const from = tMs - this.p.distress.windowMs;
    while (this.recent.length > 0 && this.recent[0]!.tMs < from) this.recent.shift();
    const n = this.recent.length;
    const distressed = this.recent.filter((r) => r.distressed).length;
    if (
      n >= this.p.distress.minFaces &&
      distressed / n >= this.p.distress.share &&
      this.distressRaisedOn !== day
    ) {
      this.distressRaisedOn = day;
      event = {
        kind: 'emotion',
        severity: 'warning',
        reason: 'distress_episode',
        occurredAtMs: tMs,
        score: distressed / n,
        evidence: {
          reason: 'distress_episode',
          faces: n,
          distressedShare: round(distressed / n),
          windowMin: this.p.distress.windowMs / 60_000,
        },
      };
    }
    return event;
  }

  /** The day so far. */
  summary(day = this.day ?? ''): DailyAffect {
    const shares = Object.fromEntries(
      EMOTIONS.map((e) => [e, this.faces ? round(this.sums[e] / this.faces) : 0]),
    ) as Record<Emotion, number>;
    return {
      day,
      frames: this.frames,
      faces: this.faces,
      shares,
      valence: this.faces ? round(this.valenceSum / this.faces) : undefined,
      negativeShare: this.faces ? round((this.sums.angry + this.sums.fear + this.sums.sad) / this.faces) : 0,
      counted: this.faces >= this.p.minFacesPerDay,
    };
  }

  /** Local midnight: close the day, compare it with the baseline, start the next. */
  closeDay(atMs: number): { summary: DailyAffect; event?: AffectEvent } {
    const summary = this.summary();
    this.day = undefined;
    this.frames = 0;
    this.faces = 0;
    for (const k of EMOTIONS) this.sums[k] = 0;
    this.valenceSum = 0;
    this.recent = [];
    if (!summary.counted) return { summary }; // cameras off/down or nobody seen: no say either way
    if (this.cooldown > 0) this.cooldown -= 1;
    const base = this.history.slice(-this.p.baselineDays);
    if (base.length < this.p.baselineMinDays) {
      this.history.push(summary.negativeShare);
      return { summary };
    }
    const mean = base.reduce((a, b) => a + b, 0) / base.length;
    const sd = Math.sqrt(base.reduce((a, b) => a + (b - mean) ** 2, 0) / base.length);
    const limit = Math.max(mean + Math.max(this.p.k * sd, this.p.minRise), this.p.floor);
    if (summary.negativeShare < limit) {
      // A normal day ends a streak; the streak's days were not normal, so they never join the baseline.
      this.streak = [];
      this.history.push(summary.negativeShare);
      if (this.history.length > 4 * this.p.baselineDays) this.history.shift();
      return { summary };
    }
    this.streak.push(summary);
    if (this.streak.length < this.p.streakDays || this.cooldown > 0) return { summary };
    const days = this.streak.length;
    const meanNeg = this.streak.reduce((a, d) => a + d.negativeShare, 0) / days;
    this.streak = [];
    this.cooldown = this.p.cooldownDays;
    return {
      summary,
      event: {
        kind: 'emotion',
        severity: 'warning',
        reason: 'sustained_low_mood',
        occurredAtMs: atMs,
        score: Math.min(1, meanNeg),
        evidence: {
          reason: 'sustained_low_mood',
          days,
          negativeShare: round(meanNeg),
          baselineNegativeShare: round(mean),
          baselineDays: base.length,
          valence: summary.valence ?? 0,
        },
      },
    };
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;
