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
