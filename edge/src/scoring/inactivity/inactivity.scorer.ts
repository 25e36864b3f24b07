import type { ModelInfo, Severity } from '../../../../contracts/src/index.ts';
import type { Detection } from '../scorer.ts';
import { durationText, hhmm, type LocalOffset, localParts, systemLocalOffset } from './local-time.ts';
import { type ActivityObservation, type DeviceRole, HELD_CAP_MS } from './observation.ts';
import { RoutineModel, type RoutineModelOptions, type RoutineModelState } from './routine.model.ts';

export const INACTIVITY_MODEL: ModelInfo = { name: 'inactivity-routine', version: '1.0.0' };

export interface InactivityScorerOptions extends RoutineModelOptions {
  /** The share of this home's silences (from the same hour) that a silence must outlast (default 0.99). */
  quantile?: number;
  /** …times this margin (default 1; chosen on the UCI homes: 0.9 already gives 3.4 false alarms / 30 days). */
  margin?: number;
  /** The alert never fires sooner than this after the last sign of life (default 60 min). */
  minThresholdMin?: number;
  /** …and always by this long (default 720 min), however quiet the hour usually is. */
  maxThresholdMin?: number;
  /** Local time of the home (default: the system zone). */
  localOffset?: LocalOffset;
}

export type HomeState = 'home' | 'away' | 'asleep';

interface Held {
  role: DeviceRole;
  sinceMs: number;
}

/** What `toJSON` writes: a few kB, so a gateway restart keeps weeks of learning. */
export interface InactivityScorerState {
  v: 1;
  model: RoutineModelState;
  lastActivityMs: number | null;
  lastActivityRole: DeviceRole | null;
  lastActivityRoom: string | null;
  held: [string, DeviceRole, number][];
  away: boolean;
  bedSeen: boolean;
  alertedEpisodeMs: number | null;
  alertedTier: number;
}

const SEVERITY_BY_TIER: Severity[] = ['info', 'warning', 'urgent', 'critical'];
const MIN = 60_000;

/**
 * Notices when the present silence at home is unusual for this home at this hour.
 *
 * Streaming and clock-driven: `observe()` every person or appliance change (see `toObservation`), and
 * `tick(now)` at `nextCheckAtMs()` (or every few minutes; `InactivityRunner` does both on a `Clock`).
 * A silence is the time since the last person-made change, not counting time on a held mat (bed, seat,
 * each up to a cap). After a front-door change with no person-made change inside since, the home is
 * "away" and silence is not alarming; the next interior change means the person is home again.
 *
 * Alerts escalate once per silence: warning when the silence outlasts `margin ×` the learned `quantile` of
 * silences that began at that hour (clamped to [min, max]), urgent at 1.5× (+1 h at least), critical
 * at 2.5× (+3 h at least).
 */
export class InactivityScorer {
  readonly id = 'inactivity';
  readonly model = INACTIVITY_MODEL;
  private readonly routine: RoutineModel;
  private readonly quantile: number;
  private readonly margin: number;
  private readonly minThresholdMin: number;
  private readonly maxThresholdMin: number;
  private readonly offset: LocalOffset;
  private lastActivityMs: number | null = null;
  private lastActivityRole: DeviceRole | null = null;
  private lastActivityRoom: string | null = null;
  private readonly held = new Map<string, Held>();
  private away = false;
  /** A bed mat has reported: sleep is visible, so night silences are not sleep (picks the prior). */
  private bedSeen = false;
  private alertedEpisodeMs: number | null = null;
  private alertedTier = 0;
  private cachedEpisodeMs: number | null = null;
  private cachedThresholdMin = 0;

  constructor(options: InactivityScorerOptions = {}, routine?: RoutineModel) {
    this.routine = routine ?? new RoutineModel(options);
    this.quantile = options.quantile ?? 0.99;
    this.margin = options.margin ?? 1;
    this.minThresholdMin = options.minThresholdMin ?? 60;
    this.maxThresholdMin = options.maxThresholdMin ?? 720;
    this.offset = options.localOffset ?? systemLocalOffset;
  }

  /** 'away' after the front door with silence since; 'asleep' while the bed mat is held. */
  state(): HomeState {
    if (this.away) return 'away';
    for (const h of this.held.values()) if (h.role === 'bed') return 'asleep';
    return 'home';
  }

  /** Start of the present silence, or `now` if the person is on a held mat (within its cap). */
  silenceStartMs(nowMs: number): number | null {
    if (this.lastActivityMs === null) return null;
    let start = this.lastActivityMs;
    for (const h of this.held.values()) {
      const end = h.sinceMs + (HELD_CAP_MS[h.role] ?? 0);
      if (end > nowMs) return nowMs;
      start = Math.max(start, end);
    }
    return start;
  }

  observe(obs: ActivityObservation): Detection[] {
    this.routine.advanceToDay(localParts(obs.tMs, this.offset).dayIndex);
    if (!obs.person) return [];
    const out = this.tick(obs.tMs);
    const start = this.silenceStartMs(obs.tMs);
    // A silence at home has ended: learn how long it lasted, in the hour it began.
    if (start !== null && !this.away && start < obs.tMs) {
      const p = localParts(start, this.offset);
      this.routine.learn(isWeekend(p.weekday), Math.floor(p.minuteOfDay / 60), (obs.tMs - start) / MIN);
    }
    if (obs.role === 'bed') this.bedSeen = true;
    if (obs.role === 'front_door') this.away = true;
    else this.away = false;
    const cap = HELD_CAP_MS[obs.role];
    if (cap !== undefined) {
      if (obs.active) {
        if (!this.held.has(obs.deviceId)) this.held.set(obs.deviceId, { role: obs.role, sinceMs: obs.tMs });
      } else this.held.delete(obs.deviceId);
    }
    this.lastActivityMs = Math.max(this.lastActivityMs ?? obs.tMs, obs.tMs);
    this.lastActivityRole = obs.role;
    this.lastActivityRoom = obs.room ?? null;
    return out;
  }

  /** Alarm threshold (min) for a silence that began at `startMs`. */
  thresholdMin(startMs: number): number {
    if (this.cachedEpisodeMs === startMs) return this.cachedThresholdMin;
    const p = localParts(startMs, this.offset);
    const q = this.routine.quantileMin(
      isWeekend(p.weekday),
      Math.floor(p.minuteOfDay / 60),
      this.quantile,
      this.bedSeen,
    );
    const t = Math.min(this.maxThresholdMin, Math.max(this.minThresholdMin, q * this.margin));
    this.cachedEpisodeMs = startMs;
    this.cachedThresholdMin = t;
    return t;
  }

  private tierMinutes(startMs: number): [number, number, number] {
    const t1 = this.thresholdMin(startMs);
    return [t1, Math.max(t1 * 1.5, t1 + 60), Math.max(t1 * 2.5, t1 + 180)];
  }

  /** When `tick` may next have something to say (undefined: not before the next observation). */
  nextCheckAtMs(nowMs: number): number | undefined {
    if (this.away || this.lastActivityMs === null) return undefined;
    const start = this.silenceStartMs(nowMs);
    if (start === null) return undefined;
    if (start >= nowMs) {
      let capEnd = Number.POSITIVE_INFINITY;
      for (const h of this.held.values()) capEnd = Math.min(capEnd, h.sinceMs + (HELD_CAP_MS[h.role] ?? 0));
      return Number.isFinite(capEnd) ? capEnd : undefined;
    }
    const tier = this.alertedEpisodeMs === start ? this.alertedTier : 0;
    if (tier >= 3) return undefined;
    const tiers = this.tierMinutes(start);
    return Math.ceil(start + (tiers[tier] ?? 0) * MIN);
  }

  /** Checks the present silence; returns a detection when it crosses the next severity. */
  tick(nowMs: number): Detection[] {
    if (this.away) return [];
    const start = this.silenceStartMs(nowMs);
    if (start === null || start >= nowMs) return [];
    const silentMin = (nowMs - start) / MIN;
    const tiers = this.tierMinutes(start);
    let tier = 0;
    while (tier < 3 && silentMin + 1e-9 >= (tiers[tier] ?? Number.POSITIVE_INFINITY)) tier++;
    const already = this.alertedEpisodeMs === start ? this.alertedTier : 0;
    if (tier <= already) return [];
    this.alertedEpisodeMs = start;
    this.alertedTier = tier;
    return [this.detection(start, nowMs, tier, tiers[0])];
  }

  private detection(startMs: number, nowMs: number, tier: number, thresholdMin: number): Detection {
    const p = localParts(startMs, this.offset);
    const weekend = isWeekend(p.weekday);
    const hour = Math.floor(p.minuteOfDay / 60);
    const silentMin = (nowMs - startMs) / MIN;
    const usualMin = this.routine.quantileMin(weekend, hour, this.quantile, this.bedSeen);
    const activeBy = this.routine.cdf(weekend, hour, silentMin, this.bedSeen);
    const qPct = Math.round(this.quantile * 100);
    const since = hhmm(startMs, this.offset);
    const explanation =
      `no activity since ${since} (${durationText(nowMs - startMs)}); ${qPct}% of this home's silences ` +
      `starting around ${String(hour).padStart(2, '0')}:00 on ${weekend ? 'weekends' : 'weekdays'} end within ` +
      `${durationText(usualMin * MIN)} (by ${hhmm(startMs + usualMin * MIN, this.offset)})`;
    return {
      kind: 'inactivity',
      severity: SEVERITY_BY_TIER[tier] ?? 'critical',
      occurredAtMs: startMs,
      decidedAtMs: nowMs,
      score: {
        value: round(activeBy, 4),
        threshold: round(this.routine.cdf(weekend, hour, thresholdMin, this.bedSeen), 4),
        model: this.model,
      },
      evidence: {
        explanation: explanation.slice(0, 200),
        lastActivityAt: since,
        lastActivityRole: this.lastActivityRole ?? 'unknown',
        ...(this.lastActivityRoom ? { lastActivityRoom: this.lastActivityRoom.slice(0, 64) } : {}),
        silentMin: Math.round(silentMin),
        thresholdMin: Math.round(thresholdMin),
        usualActiveByPct: round(activeBy * 100, 1),
        usualSilenceMin: Math.round(usualMin),
        usualQuantilePct: qPct,
        state: this.state(),
        dayType: weekend ? 'weekend' : 'weekday',
        slotHour: hour,
        escalation: tier,
        learnedSilences: this.routine.learned,
      },
    };
  }

  toJSON(): InactivityScorerState {
    return {
      v: 1,
      model: this.routine.toJSON(),
      lastActivityMs: this.lastActivityMs,
      lastActivityRole: this.lastActivityRole,
      lastActivityRoom: this.lastActivityRoom,
      held: [...this.held].map(([id, h]) => [id, h.role, h.sinceMs]),
      away: this.away,
      bedSeen: this.bedSeen,
      alertedEpisodeMs: this.alertedEpisodeMs,
      alertedTier: this.alertedTier,
    };
  }

  /** Restores a saved state; `options` are the runtime options (they are not saved). */
  static fromJSON(state: InactivityScorerState, options: InactivityScorerOptions = {}): InactivityScorer {
    if (state.v !== 1) throw new Error(`inactivity scorer state v${String(state.v)} is not supported`);
    const s = new InactivityScorer(options, RoutineModel.fromJSON(state.model));
    s.lastActivityMs = state.lastActivityMs;
    s.lastActivityRole = state.lastActivityRole;
    s.lastActivityRoom = state.lastActivityRoom;
    for (const [id, role, sinceMs] of state.held) s.held.set(id, { role, sinceMs });
    s.away = state.away;
    s.bedSeen = state.bedSeen;
    s.alertedEpisodeMs = state.alertedEpisodeMs;
    s.alertedTier = state.alertedTier;
    return s;
  }
}

function isWeekend(weekday: number): boolean {
  return weekday === 0 || weekday === 6;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
