import { type Static, Type } from '@sinclair/typebox';
import { DeviceId, DeviceMeta } from '../device-meta.config.ts';
import { SerialLineOptions } from '../serial/serial.config.ts';

/** One counter input of the board, wired to one meter's pulse output. */
export const PulseChannelSchema = Type.Object(
  {
    channel: Type.Integer({ minimum: 1, maximum: 16 }),
    ...DeviceMeta,
    quantity: Type.Union([Type.Literal('water_l'), Type.Literal('gas_m3')]),
    /** From the meter's nameplate: e.g. water 1 L/pulse or 10 L/pulse; gas 10 L/pulse (0.01 m³). */
    litresPerPulse: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
    /** The meter's dial when the gateway starts counting, in the quantity's unit (L or m³). */
    initialTotal: Type.Number({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
export type PulseChannelConfig = Static<typeof PulseChannelSchema>;

/** Config of a `pulse-counter` driver: one pulse-counter board on a serial line (protocol in README.md). */
export const PulseCounterDriverConfigSchema = Type.Object(
  {
    /** Driver id, for logs and health (e.g. `pulse-board`). */
    id: DeviceId,
    ...SerialLineOptions,
    /** Width of the board's counters: the count wraps to 0 after 2^counterBits − 1. */
    counterBits: Type.Union([Type.Literal(16), Type.Literal(32)], { default: 32 }),
    /**
     * The most pulses believable between two reports of a channel; decides wrap vs board reset and drops
     * impossible jumps. 10 000 pulses ≈ 10 m³ of water at 1 L/pulse between two reports.
     */
    maxPulsesPerReport: Type.Integer({ minimum: 1, default: 10_000 }),
    /** The board reports every channel at least every 60 s; no line for this long counts as silent. */
    silenceTimeoutMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 180_000 }),
    /**
     * An unchanged total is published again after this long: consumers see the meter is alive, and a
     * consumer that calls water "running" while the total grows sees it stop within about this long.
     */
    unchangedPublishMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 60_000 }),
    channels: Type.Array(PulseChannelSchema, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type PulseCounterDriverConfig = Static<typeof PulseCounterDriverConfigSchema>;
