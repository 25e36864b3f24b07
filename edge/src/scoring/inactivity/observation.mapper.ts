import type {
  ContactReading,
  MeterReading,
  MotionReading,
  PowerReading,
  PresenceReading,
  StepsReading,
  WaterLeakReading,
} from '../../bus/readings.ts';
import { type ActivityObservation, type DeviceRole, PERSON_ROLES } from './observation.ts';

/** A device as the gateway config names it: its id, room and role. */
export interface DeviceBinding {
  id: string;
  role: string;
  room?: string;
}

/** A reading from the local bus with the metric of its topic `home/<device>/<metric>`. */
export type BusReading =
  | { metric: 'motion'; reading: MotionReading }
  | { metric: 'contact'; reading: ContactReading }
  | { metric: 'presence'; reading: PresenceReading }
  | { metric: 'water_leak'; reading: WaterLeakReading }
  | { metric: 'power'; reading: PowerReading }
  | { metric: 'meter'; reading: MeterReading }
  | { metric: 'steps'; reading: StepsReading };

const KNOWN_ROLES: ReadonlySet<string> = new Set<DeviceRole>([
  ...PERSON_ROLES,
  'fridge',
  'periodic_appliance',
  'water_leak',
]);

export interface ObservationMapperOptions {
  /** A power role is "on" above this draw (default 15 W: above standby, below any real use). */
  onWatts?: number;
}

/**
 * Turns bus readings into observations, through the device's configured role. Stateful: power and
 * meter readings become on/off changes (a plug reports watts every few seconds; only crossings matter),
 * and a water meter is "running" while its register grows between readings.
 */
export function createObservationMapper(options: ObservationMapperOptions = {}) {
  const onWatts = options.onWatts ?? 15;
  const lastOn = new Map<string, boolean>();
  const lastTotal = new Map<string, number>();

  function edge(device: DeviceBinding, tMs: number, active: boolean, extra: Partial<ActivityObservation>) {
    const role = device.role as DeviceRole;
    if (lastOn.get(device.id) === active) return undefined;
    lastOn.set(device.id, active);
    return observation(device, role, tMs, active, extra);
  }

  return {
    map(device: DeviceBinding, input: BusReading): ActivityObservation | undefined {
      if (!KNOWN_ROLES.has(device.role)) return undefined;
      const role = device.role as DeviceRole;
      switch (input.metric) {
        case 'motion':
          return observation(device, role, input.reading.tMs, input.reading.occupied, {});
        case 'contact':
          return observation(device, role, input.reading.tMs, input.reading.open, {});
        case 'presence':
          return observation(device, role, input.reading.tMs, input.reading.active, {});
        case 'water_leak':
          return observation(device, 'water_leak', input.reading.tMs, input.reading.leak, { person: false });
        case 'power':
          return edge(device, input.reading.tMs, input.reading.watts >= onWatts, {
            watts: input.reading.watts,
          });
        case 'meter': {
          if (input.reading.quantity !== 'water_l') return undefined;
          const prev = lastTotal.get(device.id);
          lastTotal.set(device.id, input.reading.total);
          if (prev === undefined) return undefined;
          return edge(device, input.reading.tMs, input.reading.total > prev, {});
        }
        case 'steps':
          return input.reading.steps > 0
            ? observation(device, 'wristband', input.reading.tMs, true, {})
            : undefined;
      }
    },
  };
}

function observation(
  device: DeviceBinding,
  role: DeviceRole,
  tMs: number,
  active: boolean,
  extra: Partial<ActivityObservation>,
): ActivityObservation {
  return {
    tMs,
    deviceId: device.id,
    role,
    ...(device.room !== undefined ? { room: device.room } : {}),
    active,
    person: PERSON_ROLES.has(role),
    ...extra,
  };
}
