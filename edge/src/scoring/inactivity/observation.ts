/**
 * What the inactivity scorer and the safety rules consume: one on/off change of one device, already
 * interpreted through the device's configured role (gateway config `devices[].role`), not its payload.
 */

/** Device roles the scorers understand (config `role`); anything else is ignored. */
export type DeviceRole =
  | 'motion'
  | 'front_door'
  | 'door'
  | 'cupboard'
  | 'bed'
  | 'seat'
  | 'toilet_flush'
  | 'cooker'
  | 'heater'
  | 'kitchen_appliance'
  | 'tv'
  | 'fridge'
  | 'periodic_appliance'
  | 'water_main'
  | 'water_leak'
  | 'wristband';

export interface ActivityObservation {
  /** Epoch ms of the change (the reading's `tMs`). */
  tMs: number;
  deviceId: string;
  role: DeviceRole;
  room?: string;
  /** The device turned on (motion seen, door open, mat pressed, power drawn, water flowing). */
  active: boolean;
  /** Made by a person (motion, doors, mats, flush, cooking, steps), as opposed to a fridge's compressor. */
  person: boolean;
  /** Watts, for power roles. */
  watts?: number;
}

/**
 * Roles whose "on" means the person is there for as long as it lasts (lying in bed, sitting): silence while
 * they are held is not silence. Each hold counts for at most this long (a mat stuck on must not hide a
 * collapse forever). The UCI homes show 6 h on the sofa and 10 h in bed.
 */
export const HELD_CAP_MS: Partial<Record<DeviceRole, number>> = {
  bed: 16 * 3_600_000,
  seat: 8 * 3_600_000,
};

/** Roles a person operates; a change of one is a sign of life. Fridges and other cycling loads are not. */
export const PERSON_ROLES: ReadonlySet<DeviceRole> = new Set<DeviceRole>([
  'motion',
  'front_door',
  'door',
  'cupboard',
  'bed',
  'seat',
  'toilet_flush',
  'cooker',
  'heater',
  'kitchen_appliance',
  'tv',
  'water_main',
  'wristband',
]);
