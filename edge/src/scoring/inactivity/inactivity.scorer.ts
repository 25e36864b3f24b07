import type { ModelInfo, Severity } from '../../../../contracts/src/index.ts';
import type { Detection } from '../scorer.ts';
import { ContextModel, type ContextModelState, contextKey } from './context.model.ts';
import { durationText, hhmm, type LocalOffset, localParts, systemLocalOffset } from './local-time.ts';
import { deviceKey, HOME_KEY, NextEventModel, type NextEventModelState } from './next-event.model.ts';
import { type ActivityObservation, type DeviceRole, HELD_CAP_MS } from './observation.ts';
import {
  histogramQuantileMin,
  RoutineModel,
  type RoutineModelOptions,
  type RoutineModelState,
  type TailBudget,
  type Visible,
} from './routine.model.ts';

export const INACTIVITY_MODEL: ModelInfo = { name: 'inactivity-routine', version: '2.0.0' };

export interface InactivityScorerOptions extends RoutineModelOptions {
  /** The share of this home's silences (from the same hour and context) a silence must outlast (default 0.99). */
  quantile?: number;
  /**
   * The hour's threshold from a false-alarm budget with a tail model (`RoutineModel.budgetThresholdMin`):
   * expected false alarms per 30 days from this home's ordinary silences, all hours together (default 1,
   * the target; chosen by a leave-one-home-out fold tuned with ablated homes); null: the raw
   * `quantile` of the hour (issue 8), which in homes equipped otherwise raised 7.77 false alarms / 30 d.
   */
  faBudgetPer30Days?: number | null;
  /** The budget's tail is modelled above this quantile of the hour's silences (default 0.8). */
  tailFrom?: number;
  /** Pseudo-silences of the default routine's tail in the budget's tail scale (default 4). */
  tailPriorWeight?: number;
  /** How the budget is shared between the hours (`TailBudget.spread`; default 'equal'). */
  budgetSpread?: 'equal' | 'scale';
  /**
   * A home without a seat mat cannot see sitting: its default routine has waking silences of an hour or two
   * on the sofa (default true; false: the issue-8 prior, short waking silences, in every home).
   */
  unseenSitPrior?: boolean;
  /** The budget stretches the context's and the fast path's thresholds as it stretched the hour's (default true). */
  budgetScalesContexts?: boolean;
  /** …times this margin (default 1). */
  margin?: number;
  /** The alert never fires sooner than this after the last sign of life (default 30 min). */
  minThresholdMin?: number;
  /** …and always by this long (default 720 min), however quiet the hour usually is. */
  maxThresholdMin?: number;
  /**
   * Without a bed mat, a silence that began 19:00–04:00 is capped at the latest usual morning (+ the
   * morning margin) once 7 mornings are learned, else at this (min); never below `maxThresholdMin`.
   * null: `maxThresholdMin` at night too.
   */
  nightMaxMin?: number | null;
  /**
   * Weight (pseudo-silences) of the hour's distribution when mixed with the context's own (default 8):
   * small → the context decides as soon as it has a few silences; large → the hour decides.
   */
  contextWeight?: number;
  /** A context shortens the threshold only once this many of its silences (pooled, decayed) are known (default 20). */
  contextMinSilences?: number;
  /**
   * Fast path on the time to the next sign of life (`next-event.model.ts`): the share of *all* gaps after
   * the last device's change (short ones too) a silence must outlast. A context almost always followed
   * within minutes (a seat released, a flush) then alerts at a lower quantile of its own long gaps, pooled
   * with its role-and-room's and the hour's (the default routine's tail included). Default 0.999 (with
   * `gapWeight` 8: the most conservative setting a leave-one-home-out fold chose); null: off.
   */
  gapQuantile?: number | null;
  /**
   * Pseudo-gaps by which the share of gaps reaching 5 min is pooled toward the level above (device ←
   * role-and-room ← home ← a prior of one in two), so a device seen a few times borrows (default 10).
   */
  gapShrink?: number;
  /** Weight (pseudo-gaps) of the level above in the fast path's long gaps (default 8). */
  gapWeight?: number;
  /** The fast path needs at least this many gaps (pooled, decayed) after the device's change (default 8). */
  gapMinEvidence?: number;
  /**
   * Which contexts the fast path serves: 'named' (default) only those with a reason of their own — the
   * last change in a bathroom or a flush, a bed exit at night, a seat or bed released; 'all': any context (measured: false alarms
   * in the evening after living-room PIRs, docs/inactivity.md).
   */
  gapContexts?: 'named' | 'all';
  /** The fast path may also undercut the warm-up floor (default false: while learning, the prior decides). */
  gapInWarmup?: boolean;
  /**
   * "Usual morning activity absent": a silence that began in the evening or night alerts by this long after
   * the latest usual getting-up time (95 % of the learned mornings) — default 30 (every leave-one-home-out fold chose it); null: off.
   */
  morningMarginMin?: number | null;
  /**
   * After the entrance door of a person who was home, motion in the door's room within this many minutes
   * (the hall PIR seeing them go) does not end the outing (default 3).
   */
  leaveGraceMin?: number;
  /**
   * A motion sensor that has been changing alone and without a pause of 5 min for longer than this
   * (default 240 min) is a ghost (a heater's draught, sunlight, a pet), not a person: its changes past it
   * are not signs of life, so a PIR firing alone every few seconds cannot hide a collapse for ever. (In the
   * replayed homes a PIR is the only device changing for up to 138 min, pauses included.) null: off.
   */
  motionAloneCapMin?: number | null;
  /** Days from the first sign of life during which the home is "learning" (default 7). */
  warmupDays?: number;
  /**
   * While learning, the threshold is at least this quantile of the default routine (what most homes do),
   * (default 0.98): a new home raises nothing the prior cannot defend.
   */
  warmupQuantile?: number;
  /**
   * The roles of the devices the installer paired (`anju-gw pair`): a bed or seat mat among them makes sleep
   * or sitting visible from the first minute, before the mat first reports (options are not saved: the
   * gateway passes its bindings at every start).
   */
  installedRoles?: readonly string[];
  /** Local time of the home (default: the system zone). */
  localOffset?: LocalOffset;
}

export type HomeState = 'home' | 'away' | 'asleep';

/** Why the threshold of a silence is what it is (evidence `reason`). */
export type ThresholdReason =
  | 'usual_for_hour'
  | 'usual_after_context'
  | 'bathroom_not_left'
  | 'night_bed_exit'
  | 'got_up_not_seen'
  | 'morning_absent'
  | 'learning';

export interface ThresholdInfo {
  min: number;
  reason: ThresholdReason;
  /** The hour's own quantile (min), before the context and the clamps. */
  hourMin: number;
  context: string | null;
}

/** The home is still learning its routine: the desk sees "day k of n". */
export interface LearningStatus {
  learning: boolean;
  day: number;
  days: number;
}

interface Held {
  role: DeviceRole;
  sinceMs: number;
}

/** What `toJSON` writes: a few kB, so a gateway restart keeps weeks of learning. */
export interface InactivityScorerState {
  v: 1 | 2;
  model: RoutineModelState;
  lastActivityMs: number | null;
  lastActivityRole: DeviceRole | null;
  lastActivityRoom: string | null;
  held: [string, DeviceRole, number][];
  away: boolean;
  bedSeen: boolean;
  seatSeen?: boolean;
  alertedEpisodeMs: number | null;
  alertedTier: number;
  // v2
  contexts?: ContextModelState;
  outings?: ContextModelState;
  lastContext?: string | null;
  awaySinceMs?: number | null;
  lastDoorMs?: number | null;
  doorLeaving?: boolean;
  lastDoorRoom?: string | null;
  wakeMinutes?: number[];
  wakeDayIndex?: number | null;
  firstDayIndex?: number | null;
  gaps?: NextEventModelState;
  lastDeviceKey?: string | null;
  lastDeviceId?: string | null;
  streakDeviceId?: string | null;
  streakSinceMs?: number | null;
  streakLastMs?: number | null;
}

const SEVERITY_BY_TIER: Severity[] = ['info', 'warning', 'urgent', 'critical'];
const MIN = 60_000;
/** A mat pressed again this soon after its release continues its hold (chattering pressure mats). */
const MAT_DEBOUNCE_MS = 60_000;
/** Mornings begin at 04:00 local: the first change after it is when the person got up. */
const WAKE_FROM_MIN = 4 * 60;
/** Door changes closer than this are one passage (open, close, a second try). */
const DOOR_EPISODE_MS = 5 * MIN;
const OUTING = 'outing';
/** A pause this long between a PIR's changes ends a ghost streak (a person pauses; a ghost does not). */
const GHOST_PAUSE_MS = 5 * MIN;
/** Share of gaps that reach 5 min in a home the scorer knows nothing of (conservative: one in two). */
const PRIOR_LONG_SHARE = 0.5;
/** Roles whose "off" comes by itself (a PIR's timeout, a cistern refilled, a timer): not a person arriving. */
const SELF_ENDING: ReadonlySet<DeviceRole> = new Set<DeviceRole>([
  'motion',
  'toilet_flush',
  'kitchen_appliance',
  'water_main',
]);
const BATHROOM = /bath|toilet|wc|shower|lavator|restroom|卫生间|浴室|厕所|洗手间/i;

/**
 * Notices when the present silence at home is unusual for this home, at this hour, after this last sign
 * of life.
 *
 * Streaming and clock-driven: `observe()` every person or appliance change (see `toObservation`), and
 * `tick(now)` at `nextCheckAtMs()` (or every few minutes; `InactivityRunner` does both on a `Clock`).
 * A silence is the time since the last person-made change, not counting time on a held mat (bed, seat,
 * each up to a cap). After the entrance door the home is "away" and silence is not alarming; interior
 * changes in the first `leaveGraceMin` after a leaving door do not end it (a hall PIR seeing the person
 * go); the next one after that means the person is home again, and the outing's length is learned.
 *
 * The threshold is the learned `quantile` of silences that began at that hour (routine model), mixed with
 * those that followed the same context (role and room of the last change: a flush, a bed exit, the kitchen
 * PIR), clamped to [min, max]; while the home is learning, at least the default routine's
 * `warmupQuantile`. Alerts escalate once per silence: warning at the threshold, urgent at 1.5× (+1 h at
 * least), critical at 2.5× (+3 h at least).
 */
export class InactivityScorer {
  readonly id = 'inactivity';
  readonly model = INACTIVITY_MODEL;
  private readonly routine: RoutineModel;
  private readonly prior: RoutineModel;
  private contexts = new ContextModel();
  private outings = new ContextModel();
  private gaps = new NextEventModel();
  private lastDeviceKey: string | null = null;
  private lastDeviceId: string | null = null;
  private readonly gapQuantile: number | undefined;
  private readonly gapShrink: number;
  private readonly gapWeight: number;
  private readonly gapMinEvidence: number;
  private readonly gapInWarmup: boolean;
  private readonly gapAllContexts: boolean;
  private readonly motionAloneCapMs: number | undefined;
  /** The device that alone, without a 5 min pause, has been changing since `streakSinceMs` (PIR ghosts). */
  private streakDeviceId: string | null = null;
  private streakSinceMs: number | null = null;
  private streakLastMs: number | null = null;
  private readonly quantile: number;
  private readonly budget: TailBudget | undefined;
  private readonly budgetScaling: boolean;
  private readonly unseenSitPrior: boolean;
  private readonly margin: number;
  private readonly minThresholdMin: number;
  private readonly maxThresholdMin: number;
  private readonly nightMaxMin: number | undefined;
  private readonly contextWeight: number;
  private readonly contextMinSilences: number;
  private readonly morningMarginMin: number | undefined;
  /** Minute of day of the first interior change after 04:00 on the last (≤ 28) mornings at home. */
  private wakeMinutes: number[] = [];
  private wakeDayIndex: number | null = null;
  private readonly leaveGraceMs: number;
  private readonly warmupDays: number;
  private readonly warmupQuantile: number;
  private readonly offset: LocalOffset;
  private lastActivityMs: number | null = null;
  private lastActivityRole: DeviceRole | null = null;
  private lastActivityRoom: string | null = null;
  private lastContext: string | null = null;
  private readonly held = new Map<string, Held>();
  /** Last release of each mat (debounce of chattering mats; not saved: a restart forgets 60 s). */
  private readonly released = new Map<string, { sinceMs: number; atMs: number }>();
  private away = false;
  private awaySinceMs: number | null = null;
  private lastDoorMs: number | null = null;
  private lastDoorRoom: string | null = null;
  /** The present door passage began while the person was home: it is a leaving. */
  private doorLeaving = false;
  /** A bed mat has reported: sleep is visible, so night silences are not sleep (picks the prior). */
  private bedSeen = false;
  /** A seat mat has reported: sitting is visible, so waking silences are short (picks the prior). */
  private seatSeen = false;
  private firstDayIndex: number | null = null;
  private alertedEpisodeMs: number | null = null;
  private alertedTier = 0;
  private cachedEpisodeMs: number | null = null;
  private cachedContext: string | null = null;
  private cachedDevice: string | null = null;
  private cachedThreshold: ThresholdInfo | null = null;

  constructor(options: InactivityScorerOptions = {}, routine?: RoutineModel) {
    this.routine = routine ?? new RoutineModel(options);
    this.prior = new RoutineModel({ priorWeight: this.routine.priorWeight });
    this.quantile = options.quantile ?? 0.99;
    this.budget =
      options.faBudgetPer30Days === null
        ? undefined
        : {
            per30Days: options.faBudgetPer30Days ?? 1,
            from: options.tailFrom ?? 0.8,
            priorWeight: options.tailPriorWeight ?? 4,
            spread: options.budgetSpread ?? 'equal',
          };
    this.budgetScaling = options.budgetScalesContexts ?? true;
    this.unseenSitPrior = options.unseenSitPrior ?? true;
    this.bedSeen = options.installedRoles?.includes('bed') ?? false;
    this.seatSeen = options.installedRoles?.includes('seat') ?? false;
    this.margin = options.margin ?? 1;
    this.minThresholdMin = options.minThresholdMin ?? 30;
    this.maxThresholdMin = options.maxThresholdMin ?? 720;
    this.nightMaxMin = options.nightMaxMin === null ? undefined : (options.nightMaxMin ?? 960);
    this.contextWeight = options.contextWeight ?? 8;
    this.contextMinSilences = options.contextMinSilences ?? 20;
    this.gapQuantile = options.gapQuantile === null ? undefined : (options.gapQuantile ?? 0.999);
    this.gapShrink = options.gapShrink ?? 10;
    this.gapWeight = options.gapWeight ?? 8;
    this.gapMinEvidence = options.gapMinEvidence ?? 8;
    this.gapInWarmup = options.gapInWarmup ?? false;
    this.gapAllContexts = options.gapContexts === 'all';
    this.motionAloneCapMs =
      options.motionAloneCapMin === null ? undefined : (options.motionAloneCapMin ?? 240) * MIN;
    this.morningMarginMin = options.morningMarginMin === null ? undefined : (options.morningMarginMin ?? 30);
    this.leaveGraceMs = (options.leaveGraceMin ?? 3) * MIN;
    this.warmupDays = options.warmupDays ?? 7;
    this.warmupQuantile = options.warmupQuantile ?? 0.98;
    this.offset = options.localOffset ?? systemLocalOffset;
  }

  /** 'away' after the front door with silence since; 'asleep' while the bed mat is held. */
  state(): HomeState {
    if (this.away) return 'away';
    for (const h of this.held.values()) if (h.role === 'bed') return 'asleep';
    return 'home';
  }

  /** Whether the home is still learning its routine (day k of n), for the heartbeat and `anju-gw status`. */
  learningStatus(nowMs: number): LearningStatus {
    const today = localParts(nowMs, this.offset).dayIndex;
    const day = this.firstDayIndex === null ? 1 : Math.max(1, today - this.firstDayIndex + 1);
    return {
      learning: day <= this.warmupDays,
      day: Math.min(day, this.warmupDays + 1),
      days: this.warmupDays,
    };
  }

  /** Minutes by which 90 % of this person's outings that began around that time had ended (null: none learned). */
  usualOutingMin(startMs: number): number | null {
    const hour = Math.floor(localParts(startMs, this.offset).minuteOfDay / 60);
    const { h, mass } = this.outings.histogram(OUTING, hour);
    return mass >= 2 ? histogramQuantileMin(h, 0.9) : null;
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
    const day = localParts(obs.tMs, this.offset).dayIndex;
    const f = this.routine.advanceToDay(day);
    if (f !== 1) {
      this.contexts.decay(f);
      this.outings.decay(f);
      this.gaps.decay(f);
    }
    if (!obs.person) return [];
    if (this.firstDayIndex === null) this.firstDayIndex = day;
    const out = this.tick(obs.tMs);
    if (this.chatterPastCap(obs) || this.motionAlonePastCap(obs)) return out;
    const start = this.silenceStartMs(obs.tMs);
    // A silence at home has ended: learn how long it lasted, in the hour it began, after what.
    if (start !== null && !this.away && start < obs.tMs) {
      const p = localParts(start, this.offset);
      const hour = Math.floor(p.minuteOfDay / 60);
      const min = (obs.tMs - start) / MIN;
      this.routine.learn(isWeekend(p.weekday), hour, min);
      if (this.lastContext !== null) this.contexts.learn(this.lastContext, hour, min);
    }
    // Every gap at home, short ones too, after the last device's change (time to the next sign of life).
    if (
      start !== null &&
      !this.away &&
      start <= obs.tMs &&
      this.lastDeviceKey !== null &&
      this.lastContext !== null
    ) {
      const hour = Math.floor(localParts(start, this.offset).minuteOfDay / 60);
      this.gaps.learn(
        [this.lastDeviceKey, this.lastContext, HOME_KEY],
        hour,
        (obs.tMs - start) / MIN,
        obs.deviceId === this.lastDeviceId,
      );
    }
    this.noteMorning(obs, day);
    if (obs.role === 'bed') this.bedSeen = true;
    if (obs.role === 'seat') this.seatSeen = true;
    if (obs.role === 'front_door') {
      this.doorChange(obs.tMs);
      this.lastDoorRoom = obs.room ?? null;
    } else if (this.away) this.interiorWhileAway(obs);
    const cap = HELD_CAP_MS[obs.role];
    if (cap !== undefined) {
      if (obs.active) {
        if (!this.held.has(obs.deviceId)) {
          // Debounce: a mat that chatters (released and pressed again within MAT_DEBOUNCE_MS) keeps the
          // hold it had, so its cap still ends it — a chattering mat must not hide a collapse for ever.
          const r = this.released.get(obs.deviceId);
          const since = r && obs.tMs - r.atMs <= MAT_DEBOUNCE_MS ? r.sinceMs : obs.tMs;
          this.held.set(obs.deviceId, { role: obs.role, sinceMs: since });
        }
      } else {
        const h = this.held.get(obs.deviceId);
        if (h) this.released.set(obs.deviceId, { sinceMs: h.sinceMs, atMs: obs.tMs });
        this.held.delete(obs.deviceId);
      }
    }
    this.lastActivityMs = Math.max(this.lastActivityMs ?? obs.tMs, obs.tMs);
    this.lastActivityRole = obs.role;
    this.lastActivityRoom = obs.room ?? null;
    if (obs.role !== 'front_door') {
      this.lastContext = contextKey(obs.role, obs.active, obs.room);
      this.lastDeviceKey = deviceKey(obs.deviceId, obs.active);
      this.lastDeviceId = obs.deviceId;
    }
    return out;
  }

  /**
   * A mat flipping past its cap (held, or released and pressed again within the debounce, since longer
   * than the cap) is chatter, not a sign of life: its hold is kept (and ended by the cap), the flip is
   * not counted.
   */
  private chatterPastCap(obs: ActivityObservation): boolean {
    const cap = HELD_CAP_MS[obs.role];
    if (cap === undefined) return false;
    const h = this.held.get(obs.deviceId);
    const r = this.released.get(obs.deviceId);
    const since = h ? h.sinceMs : r && obs.tMs - r.atMs <= MAT_DEBOUNCE_MS ? r.sinceMs : undefined;
    if (since === undefined || obs.tMs - since <= cap) return false;
    if (obs.active) {
      if (!h) this.held.set(obs.deviceId, { role: obs.role, sinceMs: since });
    } else {
      this.released.set(obs.deviceId, { sinceMs: since, atMs: obs.tMs });
      this.held.delete(obs.deviceId);
      // The silence began at the cap's end while the mat was held; it still does once the hold is gone
      // (else it jumped back to the press, hours earlier, and all three alert steps fired at once).
      this.lastActivityMs = Math.max(this.lastActivityMs ?? since + cap, since + cap);
    }
    return true;
  }

  /** A motion sensor changing alone, without a pause, for longer than `motionAloneCapMin` is a ghost. */
  private motionAlonePastCap(obs: ActivityObservation): boolean {
    const paused = this.streakLastMs === null || obs.tMs - this.streakLastMs >= GHOST_PAUSE_MS;
    this.streakLastMs = obs.tMs;
    if (obs.deviceId !== this.streakDeviceId || this.streakSinceMs === null || paused) {
      this.streakDeviceId = obs.deviceId;
      this.streakSinceMs = obs.tMs;
      return false;
    }
    return (
      obs.role === 'motion' &&
      this.motionAloneCapMs !== undefined &&
      obs.tMs - this.streakSinceMs > this.motionAloneCapMs
    );
  }

  private doorChange(tMs: number): void {
    if (this.lastDoorMs === null || tMs - this.lastDoorMs > DOOR_EPISODE_MS) this.doorLeaving = !this.away;
    this.lastDoorMs = tMs;
    if (!this.away) {
      this.away = true;
      this.awaySinceMs = tMs;
    }
  }

  private interiorWhileAway(obs: ActivityObservation): void {
    // Only motion by the entrance (same room as the door) is the person seen going: a cupboard, a mat or
    // motion elsewhere means they stayed in.
    const byDoor = obs.role === 'motion' && (this.lastDoorRoom === null || obs.room === this.lastDoorRoom);
    const inGrace =
      byDoor && this.doorLeaving && this.lastDoorMs !== null && obs.tMs - this.lastDoorMs < this.leaveGraceMs;
    // A mat letting go, a PIR clearing after its timeout, a flush float or an appliance timer ending: each
    // ends by itself and says nothing about a person coming in (a living-room PIR still "on" as the person
    // walked out cleared minutes later and ended the outing; the silence of the outing then looked alarming).
    const endsByItself = !obs.active && (HELD_CAP_MS[obs.role] !== undefined || SELF_ENDING.has(obs.role));
    if (inGrace || endsByItself) return;
    if (!this.doorLeaving && this.awaySinceMs !== null && this.lastDoorMs !== null) {
      const p = localParts(this.awaySinceMs, this.offset);
      this.outings.learn(OUTING, Math.floor(p.minuteOfDay / 60), (this.lastDoorMs - this.awaySinceMs) / MIN);
    }
    this.away = false;
    this.awaySinceMs = null;
  }

  /** Alarm threshold (min) for a silence that began at `startMs` (after the present context). */
  thresholdMin(startMs: number): number {
    return this.threshold(startMs).min;
  }

  threshold(startMs: number): ThresholdInfo {
    if (
      this.cachedEpisodeMs === startMs &&
      this.cachedContext === this.lastContext &&
      this.cachedDevice === this.lastDeviceKey &&
      this.cachedThreshold
    )
      return this.cachedThreshold;
    const p = localParts(startMs, this.offset);
    const weekend = isWeekend(p.weekday);
    const hour = Math.floor(p.minuteOfDay / 60);
    const hourHist = this.routine.histogram(weekend, hour, this.visible());
    const rawMin = histogramQuantileMin(hourHist, this.quantile);
    const budgetMin = this.budget
      ? this.routine.budgetThresholdMin(weekend, hour, this.budget, this.visible())
      : undefined;
    const hourMin = budgetMin ?? rawMin;
    // The budget's tail model stretches the hour's raw quantile; the context and the fast path, raw
    // quantiles of fewer silences, are stretched alike (else they undercut the budget they are not part of).
    const scale = this.budgetScaling && rawMin > 0 ? hourMin / rawMin : 1;
    let q = hourMin;
    let reason: ThresholdReason = 'usual_for_hour';
    const ctx = this.lastContext;
    if (ctx !== null) {
      const { h, mass } = this.contexts.histogram(ctx, hour);
      if (mass > 0) {
        let total = 0;
        for (const c of hourHist) total += c;
        const mix = new Float64Array(h.length);
        for (let k = 0; k < h.length; k++)
          mix[k] = (h[k] ?? 0) + (total > 0 ? (this.contextWeight * (hourHist[k] ?? 0)) / total : 0);
        // On the hour's scale: a context's raw quantile, stretched as the budget stretched the hour's.
        const qc = histogramQuantileMin(mix, this.quantile) * scale;
        // Longer whenever the context says so; shorter only on enough of this context's own silences
        // (a 99 % quantile of a few dozen is their maximum, not a tail).
        if (qc >= hourMin) q = qc;
        else if (mass >= this.contextMinSilences) {
          q = qc;
          reason = fastReason(ctx, p.minuteOfDay);
        }
      }
    }
    const learning = this.firstDayIndex !== null && p.dayIndex - this.firstDayIndex < this.warmupDays;
    const fastWhy = fastReason(ctx ?? '', p.minuteOfDay);
    const fast =
      this.gapAllContexts || fastWhy !== 'usual_after_context'
        ? mul(this.gapThresholdMin(hour, hourHist), scale)
        : undefined;
    let fastUsed = false;
    if (fast !== undefined && fast < q) {
      q = fast;
      reason = fastWhy;
      fastUsed = true;
    }
    const morning = learning ? undefined : this.morningDeadlineMin(p.minuteOfDay);
    const cap = this.capMin(p.minuteOfDay, morning);
    let t = Math.min(cap, Math.max(this.minThresholdMin, q * this.margin));
    if (morning !== undefined && morning < t) {
      t = Math.max(this.minThresholdMin, morning);
      reason = 'morning_absent';
    }
    if (learning) {
      // While learning, the hour's threshold is mostly the default routine's (its rate and tail).
      if (reason === 'usual_for_hour') reason = 'learning';
      const floor = this.prior.quantileMin(weekend, hour, this.warmupQuantile, this.visible());
      if (floor > t && !(fastUsed && this.gapInWarmup)) {
        t = Math.min(cap, floor);
        reason = 'learning';
      }
    }
    const info: ThresholdInfo = { min: t, reason, hourMin, context: ctx };
    this.cachedEpisodeMs = startMs;
    this.cachedContext = ctx;
    this.cachedDevice = this.lastDeviceKey;
    this.cachedThreshold = info;
    return info;
  }

  /** What this home's sensors see (picks the default routine): sleep if a bed mat, sitting if a seat mat. */
  private visible(): Visible {
    return this.unseenSitPrior ? { sleep: this.bedSeen, sitting: this.seatSeen } : this.bedSeen;
  }

  /**
   * The longest threshold. A silence that began in the evening or night of a home without a bed mat may be
   * the night itself (sleep is invisible): its cap is the latest usual morning (+ margin) once learned, else
   * `nightMaxMin`, never less than `maxThresholdMin`. (A person up until 02:00 on an unmatted sofa and asleep
   * until noon is silent for 16 h; at a 12 h cap every such night was a false alarm.)
   */
  private capMin(minuteOfDay: number, morning: number | undefined): number {
    const night = minuteOfDay >= 19 * 60 || minuteOfDay < WAKE_FROM_MIN;
    if (!night || this.bedSeen || this.nightMaxMin === undefined) return this.maxThresholdMin;
    return Math.max(this.maxThresholdMin, morning ?? this.nightMaxMin);
  }

  /**
   * The fast path (`gapQuantile`): the share `f` of gaps after the last device's change that reach 5 min,
   * pooled device ← role-and-room ← home ← prior; a silence must outlast all but `1 - gapQuantile` of
   * those gaps, i.e. the `1 - (1 - gapQuantile) / f` quantile of the long gaps (device's, pooled with the
   * role-and-room's and the hour's, default routine included), never a lower quantile than the median
   * nor a higher one than `quantile`. Undefined when off or with too little evidence about the device.
   */
  private gapThresholdMin(hour: number, hourHist: Float64Array): number | undefined {
    if (this.gapQuantile === undefined || this.lastDeviceKey === null || this.lastContext === null)
      return undefined;
    const fine = this.gaps.histogram(this.lastDeviceKey, hour);
    const nFine = fine.longMass + fine.shortMass;
    if (nFine < this.gapMinEvidence) return undefined;
    const mid = this.gaps.histogram(this.lastContext, hour);
    const home = this.gaps.histogram(HOME_KEY, hour);
    const a = this.gapShrink;
    let f = (home.longMass + a * PRIOR_LONG_SHARE) / (home.longMass + home.shortMass + a);
    f = (mid.longMass + a * f) / (mid.longMass + mid.shortMass + a);
    f = (fine.longMass + a * f) / (nFine + a);
    // Only a change almost always followed within minutes: else this is the device's own raw quantile of
    // a few dozen long gaps, a thin context (after a flush in a home whose bathroom only the flush sees, it
    // alerted at 1 h 47 and 2 h 13 on a person having breakfast).
    const qf = 1 - (1 - this.gapQuantile) / f;
    if (qf >= this.quantile) return undefined;
    const q = Math.max(0.5, qf);
    // Long gaps: the hour's shape (with the default routine's tail) ← the role-and-room's ← the device's.
    const w = this.gapWeight;
    const chain = normalised(hourHist);
    const midMix = normalised(mid.long.map((c, k) => c + w * (chain[k] ?? 0)));
    const fineMix = fine.long.map((c, k) => c + w * (midMix[k] ?? 0));
    return histogramQuantileMin(fineMix, q);
  }

  /**
   * Minutes from a silence beginning at `minuteOfDay` to the latest this person is usually up (95 % of the learned first signs of life
   * after 04:00, + `morningMarginMin`), for a silence that began in the evening or night; undefined without
   * 7 learned mornings or when the rule is off.
   */
  private morningDeadlineMin(minuteOfDay: number): number | undefined {
    if (this.morningMarginMin === undefined || this.wakeMinutes.length < 7) return undefined;
    const sorted = [...this.wakeMinutes].sort((a, b) => a - b);
    const late =
      (sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0) + this.morningMarginMin;
    const nightStart = minuteOfDay >= 19 * 60 || minuteOfDay < WAKE_FROM_MIN;
    if (!nightStart) return undefined;
    const untilMidnight = minuteOfDay >= 19 * 60 ? 1440 - minuteOfDay : -minuteOfDay;
    return untilMidnight + late;
  }

  private noteMorning(obs: ActivityObservation, day: number): void {
    const m = localParts(obs.tMs, this.offset).minuteOfDay;
    if (m < WAKE_FROM_MIN || this.wakeDayIndex === day) return;
    this.wakeDayIndex = day;
    // Up at home: the first interior change of the day (a night out, or coming back, says nothing).
    if (this.away || obs.role === 'front_door' || m >= 14 * 60) return;
    this.wakeMinutes.push(m);
    if (this.wakeMinutes.length > 28) this.wakeMinutes.shift();
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
    return [this.detection(start, nowMs, tier)];
  }

  private detection(startMs: number, nowMs: number, tier: number): Detection {
    const p = localParts(startMs, this.offset);
    const weekend = isWeekend(p.weekday);
    const hour = Math.floor(p.minuteOfDay / 60);
    const silentMin = (nowMs - startMs) / MIN;
    const th = this.threshold(startMs);
    const activeBy = this.routine.cdf(weekend, hour, silentMin, this.visible());
    const qPct = Math.round(this.quantile * 100);
    const since = hhmm(startMs, this.offset);
    const learning = this.learningStatus(nowMs);
    const explanation =
      `no activity since ${since} (${durationText(nowMs - startMs)}); ${REASON_TEXT[th.reason]}; ` +
      `alert after ${durationText(th.min * MIN)} (usual for ${String(hour).padStart(2, '0')}:00: ` +
      `${durationText(th.hourMin * MIN)})`;
    return {
      kind: 'inactivity',
      severity: SEVERITY_BY_TIER[tier] ?? 'critical',
      occurredAtMs: startMs,
      decidedAtMs: nowMs,
      score: {
        value: round(activeBy, 4),
        threshold: round(this.routine.cdf(weekend, hour, th.min, this.visible()), 4),
        model: this.model,
      },
      evidence: {
        explanation: explanation.slice(0, 200),
        reason: th.reason,
        ...(th.context ? { context: th.context.slice(0, 64) } : {}),
        lastActivityAt: since,
        lastActivityRole: this.lastActivityRole ?? 'unknown',
        ...(this.lastActivityRoom ? { lastActivityRoom: this.lastActivityRoom.slice(0, 64) } : {}),
        silentMin: Math.round(silentMin),
        thresholdMin: Math.round(th.min),
        usualActiveByPct: round(activeBy * 100, 1),
        usualSilenceMin: Math.round(th.hourMin),
        usualQuantilePct: qPct,
        state: this.state(),
        dayType: weekend ? 'weekend' : 'weekday',
        slotHour: hour,
        escalation: tier,
        learnedSilences: this.routine.learned,
        ...(learning.learning ? { learningDay: learning.day, learningDays: learning.days } : {}),
      },
    };
  }

  toJSON(): InactivityScorerState {
    return {
      v: 2,
      model: this.routine.toJSON(),
      lastActivityMs: this.lastActivityMs,
      lastActivityRole: this.lastActivityRole,
      lastActivityRoom: this.lastActivityRoom,
      held: [...this.held].map(([id, h]) => [id, h.role, h.sinceMs]),
      away: this.away,
      bedSeen: this.bedSeen,
      seatSeen: this.seatSeen,
      alertedEpisodeMs: this.alertedEpisodeMs,
      alertedTier: this.alertedTier,
      contexts: this.contexts.toJSON(),
      outings: this.outings.toJSON(),
      lastContext: this.lastContext,
      awaySinceMs: this.awaySinceMs,
      lastDoorMs: this.lastDoorMs,
      doorLeaving: this.doorLeaving,
      lastDoorRoom: this.lastDoorRoom,
      wakeMinutes: this.wakeMinutes,
      wakeDayIndex: this.wakeDayIndex,
      firstDayIndex: this.firstDayIndex,
      gaps: this.gaps.toJSON(),
      lastDeviceKey: this.lastDeviceKey,
      lastDeviceId: this.lastDeviceId,
      streakDeviceId: this.streakDeviceId,
      streakSinceMs: this.streakSinceMs,
      streakLastMs: this.streakLastMs,
    };
  }

  /** Restores a saved state (v1 of issue 8 too: its routine is kept); `options` are not saved. */
  static fromJSON(state: InactivityScorerState, options: InactivityScorerOptions = {}): InactivityScorer {
    if (state.v !== 1 && state.v !== 2)
      throw new Error(`inactivity scorer state v${String(state.v)} is not supported`);
    const s = new InactivityScorer(options, RoutineModel.fromJSON(state.model));
    s.lastActivityMs = state.lastActivityMs;
    s.lastActivityRole = state.lastActivityRole;
    s.lastActivityRoom = state.lastActivityRoom;
    for (const [id, role, sinceMs] of state.held) s.held.set(id, { role, sinceMs });
    s.away = state.away;
    s.bedSeen = state.bedSeen || (options.installedRoles?.includes('bed') ?? false);
    // Saved before seatSeen existed: the issue-8 prior (sitting taken as seen).
    s.seatSeen = (state.seatSeen ?? true) || (options.installedRoles?.includes('seat') ?? false);
    s.alertedEpisodeMs = state.alertedEpisodeMs;
    s.alertedTier = state.alertedTier;
    s.contexts = ContextModel.fromJSON(state.contexts);
    s.outings = ContextModel.fromJSON(state.outings);
    s.lastContext = state.lastContext ?? null;
    s.awaySinceMs = state.awaySinceMs ?? null;
    s.lastDoorMs = state.lastDoorMs ?? null;
    s.doorLeaving = state.doorLeaving ?? false;
    s.lastDoorRoom = state.lastDoorRoom ?? null;
    s.wakeMinutes = (state.wakeMinutes ?? []).filter((m) => Number.isFinite(m)).slice(-28);
    s.wakeDayIndex = state.wakeDayIndex ?? null;
    s.gaps = NextEventModel.fromJSON(state.gaps);
    s.lastDeviceKey = state.lastDeviceKey ?? null;
    s.lastDeviceId = state.lastDeviceId ?? null;
    s.streakDeviceId = state.streakDeviceId ?? null;
    s.streakSinceMs = state.streakSinceMs ?? null;
    s.streakLastMs = state.streakLastMs ?? null;
    // A v1 state has learned for a while already: it is not a new home.
    s.firstDayIndex = state.firstDayIndex !== undefined ? state.firstDayIndex : state.v === 1 ? -1e6 : null;
    return s;
  }
}

const REASON_TEXT: Record<ThresholdReason, string> = {
  usual_for_hour: 'longer than this home is ever quiet at this hour',
  usual_after_context: 'longer than usual after this last activity',
  bathroom_not_left: 'bathroom entered and never left',
  night_bed_exit: 'out of bed at night and not back',
  got_up_not_seen: 'got up from a seat or bed and not seen since',
  morning_absent: 'not up by the latest usual morning',
  learning: 'home still learning: default routine',
};

function fastReason(ctx: string, minuteOfDay: number): ThresholdReason {
  const [roleState = '', room = ''] = ctx.split('@');
  if (BATHROOM.test(room) || roleState.startsWith('toilet_flush')) return 'bathroom_not_left';
  const h = minuteOfDay / 60;
  if (roleState === 'bed:off' && (h >= 22 || h < 6)) return 'night_bed_exit';
  if (roleState === 'bed:off' || roleState === 'seat:off') return 'got_up_not_seen';
  return 'usual_after_context';
}

function mul(x: number | undefined, f: number): number | undefined {
  return x === undefined ? undefined : x * f;
}

function normalised(h: Float64Array): Float64Array {
  let total = 0;
  for (const c of h) total += c;
  return total > 0 ? h.map((c) => c / total) : h;
}

function isWeekend(weekday: number): boolean {
  return weekday === 0 || weekday === 6;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
