// Supervision (issue 16): the faults a home's equipment can have, as `device_health` events, and the
// desk-set vital-sign limits the cloud pushes to a gateway. One definition for edge and cloud.
import { type Static, Type } from '@sinclair/typebox';

const SCHEMA_VERSION = 1; // = EVENT_SCHEMA_VERSION (events.ts imports this file, so not imported from there)

/**
 * What failed. `gateway_silent` is raised by the cloud (no heartbeat in time); every other fault is
 * raised by the gateway as a `device_health` event whose evidence carries a `DeviceFaultEvidence`.
 */
export const DEVICE_FAULTS = [
  'gateway_silent',
  'band_not_worn',
  'band_out_of_range',
  'band_battery_low',
  'receiver_gone',
  'sensor_offline',
  'sensor_battery_low',
  'meter_silent',
] as const;
export type DeviceFault = (typeof DEVICE_FAULTS)[number];

/**
 * Evidence keys of a `device_health` event about a fault. The same (fault, device) pair is raised once
 * and later cleared once: the cloud opens one case per pair and closes it when `faultState` is `cleared`.
 */
export const DeviceFaultEvidence = Type.Object(
  {
    fault: Type.Union(DEVICE_FAULTS.map((f) => Type.Literal(f))),
    /** the device's id in the gateway config (`band1`, `kitchen-pir`); the gateway id for gateway_silent */
    device: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' }),
    faultState: Type.Union([Type.Literal('raised'), Type.Literal('cleared')]),
  },
  { $id: 'DeviceFaultEvidence', additionalProperties: true },
);
export type DeviceFaultEvidence = Static<typeof DeviceFaultEvidence>;

/** Heart-rate limits (beats per minute) the desk sets for one resident; the gateway judges against them. */
export const VitalsLimits = Type.Object(
  {
    heartRateLow: Type.Integer({ minimum: 20, maximum: 120 }),
    heartRateHigh: Type.Integer({ minimum: 60, maximum: 220 }),
    /** how long a reading must stay outside before it is an event (not one reading) */
    sustainedS: Type.Integer({ minimum: 30, maximum: 3600 }),
  },
  { $id: 'VitalsLimits', additionalProperties: false },
);
export type VitalsLimits = Static<typeof VitalsLimits>;

/** cloud → gateway: the limits for one of its residents (retained-style: the newest one wins). */
export const VitalsLimitsCommand = Type.Object(
  {
    schema: Type.Literal(SCHEMA_VERSION),
    id: Type.String({
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
      description: 'command id (UUID)',
    }),
    type: Type.Literal('vitals_limits'),
    residentId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
    limits: VitalsLimits,
  },
  { $id: 'VitalsLimitsCommand', additionalProperties: false },
);
export type VitalsLimitsCommand = Static<typeof VitalsLimitsCommand>;
