import { join } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { VitalsLimitsCommand } from '../../../contracts/src/index.ts';
import { VitalsLimits } from '../../../contracts/src/index.ts';
import type { LocalBus } from '../bus/local-broker.ts';
import { AvailabilityReading, BatteryReading, HeartRateReading, isAccelReading } from '../bus/readings.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import type { RaiseEvent } from '../outbox/raise-event.ts';
import { type LimitsSource, VitalsScorer, type VitalsState } from '../scoring/vitals/index.ts';
import { type BandHealth, BandWatch } from './band-watch.ts';
import { DevicesWatch, type MeterHealth, type SensorHealth } from './devices-watch.ts';
import { FaultRegister } from './fault-register.ts';
import { readJsonState, writeJsonState } from './json-state.ts';
import type { SupervisionConfig } from './supervision.config.ts';

/** The home's health at a glance, for `anju-gw status`. */
export interface SupervisionSummary {
  band?: BandHealth | undefined;
  sensors: SensorHealth[];
  meters: MeterHealth[];
  vitals?:
    | { low: number; high: number; sustainedS: number; source: LimitsSource; lastBpm?: number }
    | undefined;
  faults: { fault: string; device: string; since: string }[];
  /** Local readings the supervisor could not read (wrong shape), since start. */
  malformed: number;
}

export interface Supervision {
  /** The desk's limits for this gateway's resident (the cloud's `vitals_limits` command). */
  setVitalsLimits(cmd: VitalsLimitsCommand): void;
  summary(): SupervisionSummary;
  stop(): void;
}

const isHeartRate = TypeCompiler.Compile(HeartRateReading);
const isBattery = TypeCompiler.Compile(BatteryReading);
const isAvailability = TypeCompiler.Compile(AvailabilityReading);
const isLimits = TypeCompiler.Compile(VitalsLimits);
/** Readings that show a person moving in the home (a repeated unchanged contact state does not). */
const LIFE_METRICS = new Set(['motion', 'presence', 'contact']);

/**
 * Watches the home's equipment and the resident's heart rate on the local bus (issue 16) and raises
 * `device_health` events (raised once, cleared once, kept across restarts) and `vitals` events. Reads only
 * what the drivers already publish, plus the wristband receiver's port state from its driver's health.
 */
export function startSupervision(o: {
  config: SupervisionConfig;
  residentId: string;
  band?: { device: string; receiverUp: () => boolean } | undefined;
  sensors: readonly string[];
  meters: readonly string[];
  bus: LocalBus;
  clock: Clock;
  stateDir: string;
  raise: RaiseEvent;
  log: Logger;
}): Supervision {
  const { config, clock, log } = o;
  const startMs = clock.now();
  let malformed = 0;
  const bad = (topic: string) => {
    malformed++;
    log.debug({ topic }, 'reading with a wrong shape ignored by supervision');
  };

  const register = new FaultRegister(
    join(o.stateDir, 'supervision.json'),
    async (f) => {
      const r = await o.raise({
        kind: 'device_health',
        severity: 'warning',
        occurredAtMs: clock.now(),
        evidence: { ...f.evidence, fault: f.fault, device: f.device, faultState: f.state },
      });
      if (r.dropped) throw new Error(`outbox dropped the event (${r.dropped})`);
    },
    log,
  );
  const band = o.band ? new BandWatch(o.band.device, config.band, o.sensors.length > 0, startMs) : undefined;
  const devices = new DevicesWatch(o.sensors, o.meters, config, startMs);

  const vitalsPath = join(o.stateDir, 'vitals.json');
  const savedVitals = readJsonState(vitalsPath, (err) =>
    log.warn({ err }, 'vitals state unreadable; starting fresh'),
  ) as VitalsState | undefined;
  const vitals =
    band && config.vitals.enabled
      ? new VitalsScorer(config.vitals, {
          desk: savedVitals?.desk && isLimits.Check(savedVitals.desk) ? savedVitals.desk : undefined,
          histogram: savedVitals?.histogram,
        })
      : undefined;
  const saveVitals = () => {
    if (!vitals) return;
    try {
      writeJsonState(vitalsPath, vitals.state());
    } catch (err) {
      log.error({ err }, 'vitals state not saved');
    }
  };
  if (vitals) log.info({ limits: vitals.limits() }, 'heart rate watched');

  const lastContact = new Map<string, boolean>();
  const onReading = (topic: string, payload: unknown) => {
    const [, device, metric] = topic.split('/');
    if (!device || !metric || device === 'agent') return;
    const now = clock.now();
    if (band && device === band.device) {
      if (metric === 'accel') {
        if (isAccelReading.Check(payload)) band.accel(now, payload.samples);
        else bad(topic);
      } else if (metric === 'battery') {
        if (isBattery.Check(payload)) band.battery(now, payload.percent);
        else bad(topic);
      } else if (metric === 'heart_rate') {
        if (!isHeartRate.Check(payload)) return bad(topic);
        band.frame(now);
        const alarm = vitals?.push(now, payload.bpm, payload.quality);
        if (alarm) {
          log.warn({ evidence: alarm.evidence }, 'heart rate outside the limits, sustained');
          o.raise({
            kind: 'vitals',
            severity: 'urgent',
            occurredAtMs: alarm.sinceMs,
            evidence: alarm.evidence,
          }).catch((err: unknown) => log.error({ err }, 'vitals event not stored'));
        }
      } else if (metric === 'button' || metric === 'steps') band.frame(now);
      return;
    }
    if (!devices.isSensor(device) && !devices.isMeter(device)) return;
    if (metric === 'availability') {
      if (isAvailability.Check(payload)) devices.availability(device, payload.online, now);
      else bad(topic);
      return;
    }
    if (metric === 'battery') {
      if (isBattery.Check(payload)) devices.battery(device, payload.percent, now);
      else bad(topic);
      return;
    }
    devices.reading(device, now);
    if (!band || !LIFE_METRICS.has(metric)) return;
    const p = payload as { occupied?: unknown; active?: unknown; open?: unknown } | undefined;
    if (metric === 'contact') {
      if (typeof p?.open !== 'boolean') return;
      if (lastContact.has(device) && lastContact.get(device) !== p.open) band.life(now);
      lastContact.set(device, p.open);
    } else if (p?.occupied === true || p?.active === true) band.life(now);
  };
  const unsubscribe = o.bus.subscribe('home/+/+', onReading);

  const check = () => {
    const now = clock.now();
    if (band && o.band) band.receiver(o.band.receiverUp(), now);
    for (const v of [...(band?.verdicts(now) ?? []), ...devices.verdicts(now)])
      void register.update(v.fault, v.device, v.atFault, now, v.evidence);
  };
  const timer = setInterval(check, config.checkIntervalMs);
  timer.unref();
  // The learned range is worth keeping across a restart; hourly is plenty for it.
  const saveTimer = setInterval(saveVitals, 3_600_000);
  saveTimer.unref();
  log.info(
    {
      band: o.band?.device,
      sensors: o.sensors.length,
      meters: o.meters.length,
      open: register.list().length,
    },
    'supervising the home equipment',
  );

  return {
    setVitalsLimits(cmd) {
      if (cmd.residentId !== o.residentId) {
        log.warn({ residentId: cmd.residentId }, 'vitals limits for another resident ignored');
        return;
      }
      if (!vitals) {
        log.warn('vitals limits received but no wristband is configured');
        return;
      }
      // The contract's ranges overlap (low ≤ 120, high ≥ 60): limits with no normal band between are refused.
      if (cmd.limits.heartRateLow >= cmd.limits.heartRateHigh) {
        log.warn({ limits: cmd.limits, commandId: cmd.id }, 'vitals limits refused: low must be below high');
        return;
      }
      vitals.setDeskLimits(cmd.limits);
      saveVitals();
      log.info({ limits: cmd.limits, commandId: cmd.id }, 'vitals limits set by the desk');
    },
    summary() {
      const now = clock.now();
      const h = devices.health(now);
      return {
        band: band?.health(now),
        sensors: h.sensors,
        meters: h.meters,
        vitals: vitals
          ? { ...vitals.limits(), ...(vitals.lastBpm === undefined ? {} : { lastBpm: vitals.lastBpm }) }
          : undefined,
        faults: register.list().map((f) => ({
          fault: f.fault,
          device: f.device,
          since: new Date(f.raisedAtMs).toISOString(),
        })),
        malformed,
      };
    },
    stop() {
      clearInterval(timer);
      clearInterval(saveTimer);
      unsubscribe();
      saveVitals();
    },
  };
}
