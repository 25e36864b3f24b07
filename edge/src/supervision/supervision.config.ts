import { type Static, Type } from '@sinclair/typebox';

/**
 * Supervision of the home's equipment (issue 16): when a fault counts, and the vital-sign defaults. Every
 * time is in seconds and says so in its name. A fault is raised once after its condition held this long,
 * and cleared once when the device shows it is well again.
 */
export const SupervisionConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** How often the conditions are looked at; detection is within the interval + this. */
    checkIntervalMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
    band: Type.Object(
      {
        /** No wear motion for this long while the home shows life → band_not_worn (3 h). */
        notWornAfterS: Type.Integer({ minimum: 10, maximum: 86_400, default: 10_800 }),
        /**
         * An accelerometer frame whose magnitude spans more than this (g) is wear motion: a band on a table
         * stays within a few mg; on a wrist, even asleep, it moves more within hours.
         */
        wearMotionG: Type.Number({ minimum: 0.005, maximum: 1, default: 0.05 }),
        /** No frame at all from the band for this long while the receiver is up → band_out_of_range. */
        outOfRangeAfterS: Type.Integer({ minimum: 5, maximum: 86_400, default: 600 }),
        /** Battery at or below → band_battery_low; cleared at or above batteryClearPct (hysteresis). */
        batteryLowPct: Type.Integer({ minimum: 1, maximum: 90, default: 15 }),
        batteryClearPct: Type.Integer({ minimum: 2, maximum: 100, default: 25 }),
        /** The receiver's serial port closed or absent this long → receiver_gone (a replug is not a fault). */
        receiverGoneAfterS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
      },
      { default: {}, additionalProperties: false },
    ),
    sensors: Type.Object(
      {
        /** zigbee2mqtt says `offline` this long → sensor_offline (z2m already waits its own timeout). */
        offlineAfterS: Type.Integer({ minimum: 0, maximum: 86_400, default: 60 }),
        batteryLowPct: Type.Integer({ minimum: 1, maximum: 90, default: 10 }),
        batteryClearPct: Type.Integer({ minimum: 2, maximum: 100, default: 20 }),
      },
      { default: {}, additionalProperties: false },
    ),
    meters: Type.Object(
      {
        /** No reading from a meter this long → meter_silent (meters poll or report at least every minute). */
        silentAfterS: Type.Integer({ minimum: 5, maximum: 86_400, default: 300 }),
      },
      { default: {}, additionalProperties: false },
    ),
    vitals: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /**
         * Limits set here win over the learned range; the desk's (vitals_limits command) win over these.
         * Without them and before enough is learned, defaultLow/defaultHigh apply.
         */
        heartRateLow: Type.Optional(Type.Integer({ minimum: 20, maximum: 120 })),
        heartRateHigh: Type.Optional(Type.Integer({ minimum: 60, maximum: 220 })),
        defaultLow: Type.Integer({ minimum: 20, maximum: 120, default: 40 }),
        defaultHigh: Type.Integer({ minimum: 60, maximum: 220, default: 130 }),
        /** Out of the limits for this long (every good reading in it) → one vitals event. */
        sustainedS: Type.Integer({ minimum: 30, maximum: 3600, default: 120 }),
        /** Readings of lower optical quality (0..100) are not judged (a loose band reads nonsense). */
        minQuality: Type.Integer({ minimum: 0, maximum: 100, default: 50 }),
        /** No good reading for this long breaks a sustained run (the band was off, out of range). */
        maxGapS: Type.Integer({ minimum: 5, maximum: 600, default: 60 }),
        /** Learn the person's own range from this many good readings on (0 = never learn). */
        learnMinReadings: Type.Integer({ minimum: 0, default: 20_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { default: {}, additionalProperties: false },
);
export type SupervisionConfig = Static<typeof SupervisionConfigSchema>;
