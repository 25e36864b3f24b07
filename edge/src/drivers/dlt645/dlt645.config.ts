import { type Static, Type } from '@sinclair/typebox';
import { DeviceId, DeviceMeta } from '../device-meta.config.ts';
import { SerialLineOptions } from '../serial/serial.config.ts';

/** One DL/T 645-2007 meter on the RS-485 line. */
export const Dlt645MeterSchema = Type.Object(
  {
    /** 通信地址: 12 digits as printed on the nameplate (most significant first). */
    address: Type.String({ pattern: '^[0-9]{12}$', description: 'meter address, 12 digits' }),
    ...DeviceMeta,
  },
  { additionalProperties: false },
);

/**
 * Config of a `dlt645` driver: one RS-485 line with one or more DL/T 645-2007 electricity meters,
 * each polled every `pollIntervalMs` for total active energy (kWh) and total active power (W).
 */
export const Dlt645DriverConfigSchema = Type.Object(
  {
    /** Driver id, for logs and health (e.g. `meters-rs485`). */
    id: DeviceId,
    ...SerialLineOptions,
    // DL/T 645-2007 字节格式: 8 data bits, even parity, 1 stop bit; 2400 baud is the common default.
    baudRate: Type.Integer({ minimum: 300, maximum: 115_200, default: 2400 }),
    parity: Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], {
      default: 'even',
    }),
    // Energy moves slowly; at 2400 baud one meter's two reads take ~0.2 s. Below 1 s the line saturates.
    pollIntervalMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 60_000 }),
    /** How long to wait for a meter's reply before counting a timeout and moving to the next read. */
    responseTimeoutMs: Type.Integer({ minimum: 50, maximum: 10_000, default: 1000 }),
    meters: Type.Array(Dlt645MeterSchema, { minItems: 1, maxItems: 32 }),
  },
  { additionalProperties: false },
);
export type Dlt645DriverConfig = Static<typeof Dlt645DriverConfigSchema>;
