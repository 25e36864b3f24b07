import { type Static, Type } from '@sinclair/typebox';
import { DeviceId, DeviceMeta } from '../device-meta.config.ts';
import { SerialLineOptions } from '../serial/serial.config.ts';

/**
 * One value to read from a slave. Take register numbers from the meter's datasheet and say so in a
 * comment in the gateway config, e.g. `# datasheet §4.2: input reg 0x0100, float32, kWh`.
 */
export const ModbusRegisterSchema = Type.Object(
  {
    /** 3 = read holding registers, 4 = read input registers. */
    function: Type.Union([Type.Literal(3), Type.Literal(4)], { default: 3 }),
    /** Zero-based register address on the wire (datasheets that say 30001/40001 mean 0). */
    register: Type.Integer({ minimum: 0, maximum: 0xffff }),
    type: Type.Union(
      [
        Type.Literal('u16'),
        Type.Literal('s16'),
        Type.Literal('u32'),
        Type.Literal('s32'),
        Type.Literal('float32'),
      ],
      { default: 'u16' },
    ),
    /** For 32-bit types: `high_first` (Modbus convention) or `low_first` (word-swapped meters). */
    wordOrder: Type.Union([Type.Literal('high_first'), Type.Literal('low_first')], { default: 'high_first' }),
    /** Multiplier to the reading's unit, e.g. 0.01 for a register in 0.01 kWh. */
    scale: Type.Number({ default: 1 }),
    /**
     * What the value is: `electricity_kwh`, `water_l`, `gas_m3` → `home/<device>/meter` (MeterReading
     * total); `power_w` → `home/<device>/power` (PowerReading watts, with energyKwh when the same slave
     * also has an `electricity_kwh` register).
     */
    reading: Type.Union([
      Type.Literal('electricity_kwh'),
      Type.Literal('water_l'),
      Type.Literal('gas_m3'),
      Type.Literal('power_w'),
    ]),
  },
  { additionalProperties: false },
);
export type ModbusRegisterConfig = Static<typeof ModbusRegisterSchema>;

/** One slave (a meter) on the line: its unit id and what to read from it. */
export const ModbusSlaveSchema = Type.Object(
  {
    unitId: Type.Integer({ minimum: 1, maximum: 247, description: 'Modbus slave address' }),
    ...DeviceMeta,
    registers: Type.Array(ModbusRegisterSchema, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type ModbusSlaveConfig = Static<typeof ModbusSlaveSchema>;

/** Config of a `modbus-rtu` driver: one RS-485 line, its slaves polled every `pollIntervalMs`. */
export const ModbusRtuDriverConfigSchema = Type.Object(
  {
    /** Driver id, for logs and health (e.g. `modbus-rs485`). */
    id: DeviceId,
    ...SerialLineOptions,
    // Below 1 s a line with a few slaves and one silent one would never finish a cycle.
    pollIntervalMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000 }),
    /** Per request; a silent slave costs this much per register per cycle, never more. */
    responseTimeoutMs: Type.Integer({ minimum: 50, maximum: 10_000, default: 500 }),
    slaves: Type.Array(ModbusSlaveSchema, { minItems: 1, maxItems: 32 }),
  },
  { additionalProperties: false },
);
export type ModbusRtuDriverConfig = Static<typeof ModbusRtuDriverConfigSchema>;
