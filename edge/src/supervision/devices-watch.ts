import type { SupervisionConfig } from './supervision.config.ts';
import { batteryVerdict, type FaultVerdict } from './verdict.ts';

export interface SensorHealth {
  device: string;
  online?: boolean;
  batteryPct?: number;
}
export interface MeterHealth {
  device: string;
  answering?: boolean;
  lastReadingAgoS?: number;
}

interface SensorState {
  online: boolean | undefined;
  offlineSinceMs: number | undefined;
  batteryPct: number | undefined;
}

/**
 * Home sensors (zigbee2mqtt) and meters (Modbus RTU, DL/T 645, pulse counters), pure:
 * - sensor_offline: zigbee2mqtt's availability `offline` for offlineAfterS; well on `online` or on any
 *   reading from the sensor (it spoke);
 * - sensor_battery_low: the sensor's battery field, with hysteresis;
 * - meter_silent: no reading from a meter for silentAfterS (counted from the start, so a meter that never
 *   answers is found too); well on a reading.
 */
export class DevicesWatch {
  private readonly sensors = new Map<string, SensorState>();
  private readonly meters = new Map<string, number | undefined>();

  constructor(
    sensorIds: readonly string[],
    meterIds: readonly string[],
    private readonly config: Pick<SupervisionConfig, 'sensors' | 'meters'>,
    private readonly startMs: number,
  ) {
    for (const id of sensorIds)
      this.sensors.set(id, { online: undefined, offlineSinceMs: undefined, batteryPct: undefined });
    for (const id of meterIds) this.meters.set(id, undefined);
  }

  isSensor(device: string): boolean {
    return this.sensors.has(device);
  }
  isMeter(device: string): boolean {
    return this.meters.has(device);
  }

  availability(device: string, online: boolean, nowMs: number): void {
    const s = this.sensors.get(device);
    if (!s) return;
    if (online) {
      s.online = true;
      s.offlineSinceMs = undefined;
    } else if (s.offlineSinceMs === undefined) {
      s.online = false;
      s.offlineSinceMs = nowMs;
    }
  }

  /** Any reading of a sensor or meter: it is there. */
  reading(device: string, nowMs: number): void {
    if (this.meters.has(device)) this.meters.set(device, nowMs);
    const s = this.sensors.get(device);
    if (s) this.availability(device, true, nowMs);
  }

  battery(device: string, pct: number, nowMs: number): void {
    const s = this.sensors.get(device);
    if (!s) return;
    s.batteryPct = pct;
    this.availability(device, true, nowMs);
  }

  verdicts(nowMs: number): FaultVerdict[] {
    const out: FaultVerdict[] = [];
    const sc = this.config.sensors;
    for (const [device, s] of this.sensors) {
      const offline =
        s.online === true
          ? false
          : s.offlineSinceMs !== undefined && nowMs - s.offlineSinceMs >= sc.offlineAfterS * 1000
            ? true
            : undefined;
      out.push({
        fault: 'sensor_offline',
        device,
        atFault: offline,
        evidence:
          offline && s.offlineSinceMs !== undefined
            ? { offlineForS: Math.round((nowMs - s.offlineSinceMs) / 1000) }
            : {},
      });
      out.push({
        fault: 'sensor_battery_low',
        device,
        atFault: batteryVerdict(s.batteryPct, sc.batteryLowPct, sc.batteryClearPct),
        evidence: s.batteryPct === undefined ? {} : { batteryPct: s.batteryPct },
      });
    }
    const silentMs = this.config.meters.silentAfterS * 1000;
    for (const [device, last] of this.meters) {
      const since = last ?? this.startMs;
      const silent =
        last !== undefined && nowMs - last < silentMs ? false : nowMs - since >= silentMs ? true : undefined;
      out.push({
        fault: 'meter_silent',
        device,
        atFault: silent,
        evidence: silent
          ? { silentForS: Math.round((nowMs - since) / 1000), everAnswered: last !== undefined }
          : {},
      });
    }
    return out;
  }

  health(nowMs: number): { sensors: SensorHealth[]; meters: MeterHealth[] } {
    const silentMs = this.config.meters.silentAfterS * 1000;
    return {
      sensors: [...this.sensors].map(([device, s]) => ({
        device,
        ...(s.online === undefined ? {} : { online: s.online }),
        ...(s.batteryPct === undefined ? {} : { batteryPct: s.batteryPct }),
      })),
      meters: [...this.meters].map(([device, last]) => ({
        device,
        ...(last === undefined
          ? nowMs - this.startMs >= silentMs
            ? { answering: false }
            : {}
          : { answering: nowMs - last < silentMs, lastReadingAgoS: Math.round((nowMs - last) / 1000) }),
      })),
    };
  }
}
