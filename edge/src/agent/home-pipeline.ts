import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { LocalBus } from '../bus/local-broker.ts';
import {
  ContactReading,
  MeterReading,
  MotionReading,
  PowerReading,
  PresenceReading,
  StepsReading,
  WaterLeakReading,
} from '../bus/readings.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import {
  type ActivityObservation,
  type BusReading,
  createInactivityScorer,
  createObservationMapper,
  type DeviceBinding,
  type InactivityScorerState,
  ScorerRunner,
} from '../scoring/inactivity/index.ts';
import { createMeterSafetyRules, type MeterSafetyState } from '../scoring/meter-safety/index.ts';
import type { Detection } from '../scoring/scorer.ts';

const readingSchemas = {
  motion: MotionReading,
  contact: ContactReading,
  presence: PresenceReading,
  water_leak: WaterLeakReading,
  power: PowerReading,
  meter: MeterReading,
  steps: StepsReading,
} satisfies Record<BusReading['metric'], TSchema>;
const checkers = new Map(
  Object.entries(readingSchemas).map(([metric, schema]) => [metric, TypeCompiler.Compile<TSchema>(schema)]),
);

export interface HomePipelineOptions {
  bindings: readonly DeviceBinding[];
  bus: LocalBus;
  clock: Clock;
  log: Logger;
  /** Where the learned routine and safety state are kept across restarts. */
  stateDir: string;
  stateSaveIntervalMs: number;
  onAlarm: (detection: Detection, raisedAtMs: number) => void;
  /** Every observation, after the scorers saw it (the daily summary counts signs of life). */
  onObservation?: (obs: ActivityObservation) => void;
}

/**
 * Home sensors and meters → the inactivity scorer and the safety rules. Readings arrive on the local
 * broker as `home/<device>/<metric>`; the device's configured role says what they mean. What the scorers
 * learn (weeks of routine) is saved to disk, so a restart does not forget it.
 */
export class HomePipeline {
  private readonly byId: Map<string, DeviceBinding>;
  private readonly mapper = createObservationMapper();
  private readonly inactivity;
  private readonly safety;
  private readonly runners: ScorerRunner[];
  private unsubscribe: (() => void) | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  readonly counters = { readings: 0, observations: 0, badReadings: 0, unknownDevices: 0, detections: 0 };

  constructor(private readonly o: HomePipelineOptions) {
    this.byId = new Map(o.bindings.map((b) => [b.id, b]));
    this.inactivity = createInactivityScorer(
      { installedRoles: o.bindings.map((b) => b.role) },
      this.load<InactivityScorerState>('inactivity.json'),
    );
    this.safety = createMeterSafetyRules({}, this.load<MeterSafetyState>('meter-safety.json'));
    const raise = (d: Detection) => {
      this.counters.detections++;
      o.log.info(
        { kind: d.kind, severity: d.severity, evidence: d.evidence.explanation ?? d.evidence },
        'home alarm',
      );
      o.onAlarm(d, o.clock.now());
    };
    this.runners = [
      new ScorerRunner(this.inactivity, o.clock, raise),
      new ScorerRunner(this.safety, o.clock, raise),
    ];
  }

  start(): void {
    for (const r of this.runners) r.start();
    this.unsubscribe = this.o.bus.subscribe('home/+/+', (topic, payload) => this.reading(topic, payload));
    this.saveTimer = setInterval(() => this.save(), this.o.stateSaveIntervalMs);
    this.saveTimer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    clearInterval(this.saveTimer);
    for (const r of this.runners) r.stop();
    this.save();
  }

  /** Day k of n while the inactivity scorer is still learning this home (heartbeat `homeLearning`). */
  learning(): { day: number; days: number } | undefined {
    const l = this.inactivity.learningStatus(this.o.clock.now());
    return l.learning && l.days > 0 ? { day: l.day, days: l.days } : undefined;
  }

  private reading(topic: string, payload: unknown): void {
    const [, device, metric] = topic.split('/');
    const binding = device ? this.byId.get(device) : undefined;
    const checker = metric ? checkers.get(metric) : undefined;
    if (!binding || !checker) return; // the wristband and other metrics are not ours
    this.counters.readings++;
    if (!checker.Check(payload)) {
      this.counters.badReadings++;
      this.o.log.warn({ topic }, 'malformed home reading ignored');
      return;
    }
    const obs = this.mapper.map(binding, { metric, reading: payload } as BusReading);
    if (!obs) return;
    this.counters.observations++;
    for (const r of this.runners) r.observe(obs);
    this.o.onObservation?.(obs);
  }

  private load<T>(file: string): T | undefined {
    try {
      return JSON.parse(readFileSync(join(this.o.stateDir, file), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.o.log.warn(
          { file, err: (err as Error).message },
          'saved scorer state unreadable; starting from defaults',
        );
      }
      return undefined;
    }
  }

  /** Atomic (write, then rename), so a power cut leaves the old state or the new one, never half. */
  private save(): void {
    try {
      mkdirSync(this.o.stateDir, { recursive: true });
      for (const [file, state] of [
        ['inactivity.json', this.inactivity.toJSON()],
        ['meter-safety.json', this.safety.toJSON()],
      ] as const) {
        const path = join(this.o.stateDir, file);
        writeFileSync(`${path}.tmp`, JSON.stringify(state));
        renameSync(`${path}.tmp`, path);
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'could not save scorer state');
    }
  }
}

/**
 * Every `{device, room, role}` a driver's config names, wherever the driver keeps its list (devices,
 * slaves, meters, channels): the home pipeline reads roles from the config, not from readings.
 */
export function deviceBindings(driverConfigs: readonly unknown[]): DeviceBinding[] {
  const found: DeviceBinding[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.device === 'string' && typeof o.role === 'string') {
        found.push({ id: o.device, role: o.role, ...(typeof o.room === 'string' ? { room: o.room } : {}) });
      }
      for (const child of Object.values(o)) if (typeof child === 'object') walk(child);
    }
  };
  walk(driverConfigs);
  return found;
}
