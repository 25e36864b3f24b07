import type { BusReading, DeviceBinding } from '../../edge/src/scoring/inactivity/index.ts';

/**
 * Maps a log's sensor `<Place>_<Item>_<Type>` to the device the drivers would publish (its binding in the
 * gateway config: id, room, role) and its ON/OFF to that device's bus reading:
 * - PIR → `motion` (role motion);
 * - Magnetic → `contact`: Entrance place or a main/front door item → front_door; another door → door;
 *   anything else (cupboard, fridge door, cabinet) → cupboard. All person-made;
 * - Flush → `presence` (toilet_flush); Pressure → `presence`: bed → bed, else seat (both held);
 * - Electric → `power` (ON = 1000 W, OFF = 0 W): cooktop/hob/stove/oven/cooker → cooker; heater/radiator
 *   → heater; microwave/toaster/kettle/coffee maker → kitchen_appliance (person-operated); TV/computer → tv;
 *   fridge/freezer → fridge; anything else → periodic_appliance (not a sign of life: an unknown load
 *   masking a collapse is worse than one more false alarm).
 * Unknown types are not mapped (the evaluation lists them).
 */
export interface MappedSensor {
  device: DeviceBinding;
  toReading(tMs: number, on: boolean): BusReading;
}

function electricRole(item: string): string {
  if (/cook|hob|stove|oven|range/.test(item)) return 'cooker';
  if (/heat|radiator/.test(item)) return 'heater';
  if (/fridge|freez|refrig/.test(item)) return 'fridge';
  if (/micro|toast|kettle|coffee|blender|mixer/.test(item)) return 'kitchen_appliance';
  if (/tv|television|computer|pc|radio|console/.test(item)) return 'tv';
  return 'periodic_appliance';
}

/** Rooms a door can lead to from a hall: a hall door named after one of them is an interior door. */
const INNER_ROOM =
  /bath|toilet|wc|bed|kitchen|living|lounge|dining|study|office|cellar|basement|closet|store|pantry|laundry|garage/;

/**
 * The entrance door: a door item in an entrance-like place (entrance, entry, porch, foyer, vestibule), a
 * front/main/entrance/outer/back/garden/street door anywhere, or a plain door of a hall or corridor (a hall
 * door named after another room — `Hall_BathroomDoor` — is an interior door).
 */
export function isEntrance(place: string, item: string): boolean {
  if (
    /(main|front|entrance|entry|outer|outside|exterior|street|back|garden|patio|house|apartment|flat).?door/.test(
      item,
    )
  )
    return true;
  if (/^(entrance|entry|porch|foyer|vestibule|outside|front)/.test(place)) return /door|gate/.test(item);
  if (/^(hall|corridor|landing)/.test(place)) return /^(door|gate)$/.test(item) && !INNER_ROOM.test(item);
  return false;
}

export function mapSensor(sensor: string): MappedSensor | undefined {
  const parts = sensor.split('_');
  if (parts.length < 2) return undefined;
  const place = (parts[0] ?? '').toLowerCase();
  const type = (parts.at(-1) ?? '').toLowerCase();
  const item = parts.slice(1, -1).join('_').toLowerCase();
  const base = { id: sensor, room: parts[0] ?? '' };
  switch (type) {
    case 'pir':
    case 'motion':
      return {
        device: { ...base, role: 'motion' },
        toReading: (tMs, on) => ({ metric: 'motion', reading: { tMs, occupied: on } }),
      };
    case 'magnetic':
    case 'contact': {
      const front = isEntrance(place, item);
      const role = front ? 'front_door' : /door/.test(item) ? 'door' : 'cupboard';
      return {
        device: { ...base, role },
        toReading: (tMs, on) => ({ metric: 'contact', reading: { tMs, open: on } }),
      };
    }
    case 'flush':
      return {
        device: { ...base, role: 'toilet_flush' },
        toReading: (tMs, on) => ({ metric: 'presence', reading: { tMs, active: on } }),
      };
    case 'pressure':
      return {
        device: { ...base, role: /bed/.test(item) ? 'bed' : 'seat' },
        toReading: (tMs, on) => ({ metric: 'presence', reading: { tMs, active: on } }),
      };
    case 'electric':
    case 'power': {
      const role = electricRole(item);
      const watts = role === 'fridge' || role === 'periodic_appliance' ? 120 : 1000;
      return {
        device: { ...base, role },
        toReading: (tMs, on) => ({ metric: 'power', reading: { tMs, watts: on ? watts : 0 } }),
      };
    }
    default:
      return undefined;
  }
}
