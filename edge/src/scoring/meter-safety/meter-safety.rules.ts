import type { ModelInfo, Severity } from '../../../../contracts/src/index.ts';
import {
  durationText,
  hhmm,
  inNightWindow,
  type LocalOffset,
  localParts,
  systemLocalOffset,
} from '../inactivity/local-time.ts';
import type { ActivityObservation, DeviceRole } from '../inactivity/observation.ts';
import type { Detection } from '../scorer.ts';
import { RunDurations } from './run-durations.ts';

export const METER_SAFETY_MODEL: ModelInfo = { name: 'meter-safety-rules', version: '1.0.0' };

export interface MeterSafetyOptions {
  /** Night window, local hours [start, end) (default 22 → 6). */
  nightStartH?: number;
  nightEndH?: number;
  /** Water running longer than max(floor, 2 × this home's p99 run) alerts (default floor 20 min)… */
  waterFloorMin?: number;
  /** …and always at the hard cap (default 60 min; urgent). */
  waterHardCapMin?: number;
  /** Cooker on at night longer than max(floor, 1.5 × usual p95) alerts (default floor 45 min, cap 120). */
  cookerFloorMin?: number;
  cookerHardCapMin?: number;
  /** Heater on at night (default floor 180 min, cap 480). */
  heaterFloorMin?: number;
  heaterHardCapMin?: number;
  /** After a night exit with no one back inside within this, it escalates to urgent (default 15 min). */
  nightExitNoReturnMin?: number;
  localOffset?: LocalOffset;
}

interface Run {
  deviceId: string;
  role: DeviceRole;
  room: string | null;
  sinceMs: number;
  alerted: number;
}

export interface MeterSafetyState {
  v: 1;
  water: number[];
  cooker: number[];
  heater: number[];
  runs: Run[];
  away: boolean;
  nightExit: { atMs: number; escalated: boolean; returned: boolean } | null;
  nightExitDays: number[];
}

const MIN = 60_000;
type RunRole = 'water_main' | 'cooker' | 'heater';
const RUN_ROLES: ReadonlySet<DeviceRole> = new Set<DeviceRole>(['water_main', 'cooker', 'heater']);

/**
 * Safety rules on meters and doors, each a Detection with its own kind:
 * - water running far longer than this home's usual draw (tap left open, leak) → meter_safety; a leak
 *   sensor → meter_safety critical at once;
 * - cooker or heater drawing power at night for longer than usual → meter_safety;
 * - front door opened at night while the person was at home (an exit, not a return) → night_exit; urgent
 *   if no one is back inside within `nightExitNoReturnMin`. Info only if night exits are this home's habit.
 * Deduped: one alert per run and severity step; one night exit per 30 min.
 */
export class MeterSafetyRules {
  readonly id = 'meter-safety';
  readonly model = METER_SAFETY_MODEL;
  private readonly o: Required<Omit<MeterSafetyOptions, 'localOffset'>>;
  private readonly offset: LocalOffset;
  private readonly learned: Record<RunRole, RunDurations>;
  private readonly runs = new Map<string, Run>();
  private away = false;
  private nightExit: MeterSafetyState['nightExit'] = null;
  private nightExitDays: number[] = [];

  constructor(options: MeterSafetyOptions = {}, state?: MeterSafetyState) {
    this.o = {
      nightStartH: options.nightStartH ?? 22,
      nightEndH: options.nightEndH ?? 6,
      waterFloorMin: options.waterFloorMin ?? 20,
      waterHardCapMin: options.waterHardCapMin ?? 60,
      cookerFloorMin: options.cookerFloorMin ?? 45,
      cookerHardCapMin: options.cookerHardCapMin ?? 120,
      heaterFloorMin: options.heaterFloorMin ?? 180,
      heaterHardCapMin: options.heaterHardCapMin ?? 480,
      nightExitNoReturnMin: options.nightExitNoReturnMin ?? 15,
    };
    this.offset = options.localOffset ?? systemLocalOffset;
    this.learned = {
      water_main: new RunDurations(200, state?.water),
      cooker: new RunDurations(200, state?.cooker),
      heater: new RunDurations(200, state?.heater),
    };
    if (state) {
      if (state.v !== 1) throw new Error(`meter safety state v${String(state.v)} is not supported`);
      for (const r of state.runs) this.runs.set(r.deviceId, { ...r });
      this.away = state.away;
      this.nightExit = state.nightExit;
      this.nightExitDays = [...state.nightExitDays];
    }
  }

  private isNight(tMs: number): boolean {
    return inNightWindow(localParts(tMs, this.offset).minuteOfDay, this.o.nightStartH, this.o.nightEndH);
  }

  /** [warning, urgent] minutes for a run of this role. */
  limitsMin(role: RunRole): [number, number] {
    const [floor, cap, q, factor] =
      role === 'water_main'
        ? [this.o.waterFloorMin, this.o.waterHardCapMin, 0.99, 2]
        : role === 'cooker'
          ? [this.o.cookerFloorMin, this.o.cookerHardCapMin, 0.95, 1.5]
          : [this.o.heaterFloorMin, this.o.heaterHardCapMin, 0.95, 1.5];
    const usual = this.learned[role].quantile(q, 10);
    const warn = Math.min(cap, Math.max(floor, usual === undefined ? floor : usual * factor));
    return [warn, cap];
  }

  observe(obs: ActivityObservation): Detection[] {
    const out = this.tick(obs.tMs);
    if (obs.role === 'water_leak') {
      if (obs.active) out.push(this.leak(obs));
      return out;
    }
    if (RUN_ROLES.has(obs.role)) {
      const run = this.runs.get(obs.deviceId);
      if (obs.active && !run)
        this.runs.set(obs.deviceId, {
          deviceId: obs.deviceId,
          role: obs.role,
          room: obs.room ?? null,
          sinceMs: obs.tMs,
          alerted: 0,
        });
      else if (!obs.active && run) {
        this.learned[run.role as RunRole].add((obs.tMs - run.sinceMs) / MIN);
        this.runs.delete(obs.deviceId);
      }
    }
    if (obs.person && obs.role !== 'front_door' && obs.role !== 'water_main') {
      this.away = false;
      if (this.nightExit && obs.tMs > this.nightExit.atMs) this.nightExit.returned = true;
    }
    if (obs.role === 'front_door' && obs.active) {
      const wasAway = this.away;
      this.away = true;
      if (!wasAway && this.isNight(obs.tMs)) {
        const recent = this.nightExit && obs.tMs - this.nightExit.atMs < 30 * MIN;
        if (!recent) {
          this.nightExit = { atMs: obs.tMs, escalated: false, returned: false };
          out.push(this.nightExitDetection(obs.tMs, obs.tMs, 'first'));
          const day = localParts(obs.tMs - this.o.nightEndH * 3_600_000, this.offset).dayIndex;
          if (this.nightExitDays.at(-1) !== day) this.nightExitDays.push(day);
          this.nightExitDays = this.nightExitDays.slice(-30);
        }
      }
    }
    return out;
  }

  nextCheckAtMs(nowMs: number): number | undefined {
    let next = Number.POSITIVE_INFINITY;
    for (const run of this.runs.values()) {
      if (run.alerted >= 2) continue;
      const limit = this.limitsMin(run.role as RunRole)[run.alerted] ?? 0;
      const at = Math.ceil(run.sinceMs + limit * MIN);
      // Cooker and heater warn only at night: past the limit by day, look again every 5 min.
      next = Math.min(next, at > nowMs ? at : nowMs + 5 * MIN);
    }
    if (this.nightExit && !this.nightExit.escalated && !this.nightExit.returned)
      next = Math.min(next, this.nightExit.atMs + this.o.nightExitNoReturnMin * MIN);
    return Number.isFinite(next) ? next : undefined;
  }

  tick(nowMs: number): Detection[] {
    const out: Detection[] = [];
    for (const run of this.runs.values()) {
      const limits = this.limitsMin(run.role as RunRole);
      const min = (nowMs - run.sinceMs) / MIN;
      let step = 0;
      while (step < 2 && min + 1e-9 >= (limits[step] ?? Number.POSITIVE_INFINITY)) step++;
      if (step <= run.alerted) continue;
      // Cooking for two hours at noon is a Sunday roast; at 2 a.m. it is a pan left on.
      if (run.role !== 'water_main' && !this.isNight(nowMs) && step < 2) continue;
      run.alerted = step;
      out.push(this.runDetection(run, nowMs, step, limits));
    }
    const ne = this.nightExit;
    if (ne && !ne.escalated && !ne.returned && nowMs >= ne.atMs + this.o.nightExitNoReturnMin * MIN) {
      ne.escalated = true;
      out.push(this.nightExitDetection(ne.atMs, nowMs, 'no_return'));
    }
    return out;
  }

  private runDetection(run: Run, nowMs: number, step: number, limits: [number, number]): Detection {
    const role = run.role as RunRole;
    const what = role === 'water_main' ? 'water running' : `${role} on`;
    const usual = this.learned[role].quantile(role === 'water_main' ? 0.99 : 0.95, 10);
    const min = (nowMs - run.sinceMs) / MIN;
    const severity: Severity = step >= 2 ? 'urgent' : 'warning';
    return {
      kind: 'meter_safety',
      severity,
      occurredAtMs: run.sinceMs,
      decidedAtMs: nowMs,
      score: { value: Math.min(1, min / (limits[1] * 2)), model: this.model },
      evidence: {
        rule: role === 'water_main' ? 'water_running_long' : `${role}_on_at_night`,
        explanation:
          `${what} since ${hhmm(run.sinceMs, this.offset)} (${durationText(nowMs - run.sinceMs)}); ` +
          (usual === undefined
            ? `alert after ${Math.round(limits[0])} min (defaults: not enough history yet)`
            : `this home's usual longest is ${Math.round(usual)} min`),
        deviceId: run.deviceId.slice(0, 64),
        ...(run.room ? { room: run.room.slice(0, 64) } : {}),
        runningMin: Math.round(min),
        limitMin: Math.round(limits[step - 1] ?? limits[0]),
        ...(usual !== undefined ? { usualMaxMin: Math.round(usual) } : {}),
        learnedRuns: this.learned[role].count,
        night: this.isNight(nowMs),
      },
    };
  }

  private leak(obs: ActivityObservation): Detection {
    return {
      kind: 'meter_safety',
      severity: 'critical',
      occurredAtMs: obs.tMs,
      decidedAtMs: obs.tMs,
      score: { value: 1, model: this.model },
      evidence: {
        rule: 'water_leak',
        explanation: `leak sensor wet at ${hhmm(obs.tMs, this.offset)}`,
        deviceId: obs.deviceId.slice(0, 64),
        ...(obs.room ? { room: obs.room.slice(0, 64) } : {}),
      },
    };
  }

  private nightExitDetection(atMs: number, nowMs: number, phase: 'first' | 'no_return'): Detection {
    const habitual = this.nightExitDays.filter(
      (d) => d >= localParts(atMs, this.offset).dayIndex - 14,
    ).length;
    const isHabit = habitual >= 5;
    const severity: Severity =
      phase === 'no_return' ? (isHabit ? 'warning' : 'urgent') : isHabit ? 'info' : 'warning';
    return {
      kind: 'night_exit',
      severity,
      occurredAtMs: atMs,
      decidedAtMs: nowMs,
      score: { value: phase === 'no_return' ? 0.9 : 0.6, model: this.model },
      evidence: {
        explanation:
          phase === 'first'
            ? `front door opened at ${hhmm(atMs, this.offset)} at night while at home`
            : `front door opened at ${hhmm(atMs, this.offset)} at night; no one back inside after ${durationText(nowMs - atMs)}`,
        openedAt: hhmm(atMs, this.offset),
        minutesSince: Math.round((nowMs - atMs) / MIN),
        returned: false,
        nightsWithExitLast14: habitual,
        habitual: isHabit,
      },
    };
  }

  toJSON(): MeterSafetyState {
    return {
      v: 1,
      water: this.learned.water_main.toJSON(),
      cooker: this.learned.cooker.toJSON(),
      heater: this.learned.heater.toJSON(),
      runs: [...this.runs.values()].map((r) => ({ ...r })),
      away: this.away,
      nightExit: this.nightExit ? { ...this.nightExit } : null,
      nightExitDays: [...this.nightExitDays],
    };
  }

  static fromJSON(state: MeterSafetyState, options: MeterSafetyOptions = {}): MeterSafetyRules {
    return new MeterSafetyRules(options, state);
  }
}
