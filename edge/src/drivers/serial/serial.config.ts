import { type Static, Type } from '@sinclair/typebox';

/** Serial line options shared by the polled meter drivers and the pulse board (defaults: 9600 8N1). */
export const SerialLineOptions = {
  path: Type.String({ minLength: 1, description: 'serial port, e.g. /dev/ttyUSB0 (an RS-485 adapter)' }),
  baudRate: Type.Integer({ minimum: 300, maximum: 4_000_000, default: 9600 }),
  dataBits: Type.Union([Type.Literal(7), Type.Literal(8)], { default: 8 }),
  parity: Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], { default: 'none' }),
  stopBits: Type.Union([Type.Literal(1), Type.Literal(2)], { default: 1 }),
  /** First wait before reopening a port that vanished or failed to open; doubles up to `reopenMaxMs`. */
  reopenMinMs: Type.Integer({ minimum: 10, default: 500 }),
  reopenMaxMs: Type.Integer({ minimum: 100, default: 30_000 }),
};
const SerialLineSchema = Type.Object(SerialLineOptions);
export type SerialLineConfig = Static<typeof SerialLineSchema>;
