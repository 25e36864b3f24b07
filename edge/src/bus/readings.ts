import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Payloads on the gateway's local broker, `home/<device>/<metric>` (JSON). Readings never leave the home.
 * Anything on the local broker may come from another program (Node-RED, zigbee2mqtt), so consumers check
 * the shape before use.
 */
export const AccelReading = Type.Object({
  /** Band clock of the first sample, ms. */
  tMs: Type.Number({ minimum: 0 }),
  intervalMs: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
  /** [x, y, z] in g, one triple per sample. */
  samples: Type.Array(Type.Tuple([Type.Number(), Type.Number(), Type.Number()]), {
    minItems: 1,
    maxItems: 256,
  }),
});
export type AccelReading = Static<typeof AccelReading>;

export const HeartRateReading = Type.Object({
  tMs: Type.Number(),
  bpm: Type.Integer({ minimum: 0, maximum: 255 }),
  quality: Type.Integer({ minimum: 0, maximum: 100 }),
});
export type HeartRateReading = Static<typeof HeartRateReading>;

export const BatteryReading = Type.Object({
  tMs: Type.Number(),
  percent: Type.Number({ minimum: 0, maximum: 100 }),
});
export type BatteryReading = Static<typeof BatteryReading>;

export const ButtonReading = Type.Object({
  tMs: Type.Number(),
  button: Type.Union([Type.Literal('sos'), Type.Literal('ok')]),
});
export type ButtonReading = Static<typeof ButtonReading>;

export const isAccelReading = TypeCompiler.Compile(AccelReading);
export const isButtonReading = TypeCompiler.Compile(ButtonReading);

// ── Home sensors and meters (drivers: zigbee2mqtt, Modbus RTU, DL/T 645, pulse counters) ──────────────
// Topic `home/<device>/<metric>`, where <device> is the device id from the gateway config. Every device in
// the config also has a `room` and a `role`, which the inactivity scorer and the safety rules read from the
// config (not from the payload): e.g. role 'front_door', 'motion', 'bed', 'toilet_flush', 'cooker',
// 'heater', 'fridge', 'water_main', 'electricity_main', 'gas_main'.

/** `home/<device>/motion`: PIR / occupancy. */
export const MotionReading = Type.Object({ tMs: Type.Number(), occupied: Type.Boolean() });
export type MotionReading = Static<typeof MotionReading>;

/** `home/<device>/contact`: door or cupboard contact; `open` true when the magnet is apart. */
export const ContactReading = Type.Object({ tMs: Type.Number(), open: Type.Boolean() });
export type ContactReading = Static<typeof ContactReading>;

/** `home/<device>/presence`: pressure mat, bed or seat sensor, flush switch — a person-made on/off. */
export const PresenceReading = Type.Object({ tMs: Type.Number(), active: Type.Boolean() });
export type PresenceReading = Static<typeof PresenceReading>;

/** `home/<device>/water_leak`. */
export const WaterLeakReading = Type.Object({ tMs: Type.Number(), leak: Type.Boolean() });
export type WaterLeakReading = Static<typeof WaterLeakReading>;

/** `home/<device>/power`: instantaneous power (smart plug or meter), optional cumulative energy. */
export const PowerReading = Type.Object({
  tMs: Type.Number(),
  watts: Type.Number({ minimum: 0 }),
  energyKwh: Type.Optional(Type.Number({ minimum: 0 })),
});
export type PowerReading = Static<typeof PowerReading>;

/** `home/<device>/meter`: a cumulative utility meter register (water L, gas m³, electricity kWh). */
export const MeterReading = Type.Object({
  tMs: Type.Number(),
  quantity: Type.Union([Type.Literal('water_l'), Type.Literal('gas_m3'), Type.Literal('electricity_kwh')]),
  total: Type.Number({ minimum: 0 }),
});
export type MeterReading = Static<typeof MeterReading>;

/** `home/<device>/steps`: wristband step count since the previous reading. */
export const StepsReading = Type.Object({ tMs: Type.Number(), steps: Type.Integer({ minimum: 0 }) });
export type StepsReading = Static<typeof StepsReading>;

/**
 * `home/<device>/availability`: whether zigbee2mqtt can reach the sensor (its availability feature),
 * published on each availability message; supervision raises sensor_offline from it (issue 16).
 */
export const AvailabilityReading = Type.Object({ tMs: Type.Number(), online: Type.Boolean() });
export type AvailabilityReading = Static<typeof AvailabilityReading>;

/** Topics of the home sensor and meter readings above (`home/<device>/<metric>`). */
export const homeReadingTopics = {
  motion: (device: string) => `home/${device}/motion`,
  contact: (device: string) => `home/${device}/contact`,
  presence: (device: string) => `home/${device}/presence`,
  waterLeak: (device: string) => `home/${device}/water_leak`,
  power: (device: string) => `home/${device}/power`,
  meter: (device: string) => `home/${device}/meter`,
  steps: (device: string) => `home/${device}/steps`,
  availability: (device: string) => `home/${device}/availability`,
} as const;
