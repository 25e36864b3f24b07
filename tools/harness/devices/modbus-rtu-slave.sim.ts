import {
  crc16modbus,
  encodeExceptionResponse,
  encodeReadResponse,
  parseReadRequest,
  type ReadFunction,
} from '../../../edge/src/drivers/modbus-rtu/modbus-rtu.codec.ts';
import { openDevicePort } from './serial-device.ts';

/** Register maps of the simulated slaves; the test changes them between polls. */
export interface ModbusSimState {
  /** unitId → `${fn}:${register}` → word. */
  slaves: Map<number, Map<string, number>>;
  /** Unit ids that do not answer. */
  silent: Set<number>;
  /** The next N replies go out with a broken CRC. */
  corruptReplies: number;
  requests: number;
}

export function modbusSimState(): ModbusSimState {
  return { slaves: new Map(), silent: new Set(), corruptReplies: 0, requests: 0 };
}

/** Sets consecutive words from `register` on for function `fn` of `unitId`. */
export function setWords(
  state: ModbusSimState,
  unitId: number,
  fn: ReadFunction,
  register: number,
  words: number[],
): void {
  const regs = state.slaves.get(unitId) ?? new Map<string, number>();
  state.slaves.set(unitId, regs);
  words.forEach((w, i) => {
    regs.set(`${fn}:${register + i}`, w);
  });
}

/**
 * A minimal Modbus RTU slave bus on the device end of a pty: answers 0x03/0x04 for the unit ids in the
 * state (exception 2 for an unmapped register), stays silent for others, and can corrupt CRCs on demand.
 * Requests are fixed-length (8 bytes) so the stream is split by length, resyncing on a bad CRC.
 */
export async function startModbusSlaveSim(path: string, state: ModbusSimState) {
  let buf = Buffer.alloc(0);
  const dev = await openDevicePort(path, (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 8) {
      const req = parseReadRequest(buf.subarray(0, 8));
      if (typeof req === 'string') {
        buf = buf.subarray(1);
        continue;
      }
      buf = buf.subarray(8);
      state.requests++;
      const regs = state.slaves.get(req.unitId);
      if (!regs || state.silent.has(req.unitId)) continue;
      const words: number[] = [];
      for (let i = 0; i < req.count; i++) {
        const w = regs.get(`${req.fn}:${req.start + i}`);
        if (w === undefined) break;
        words.push(w);
      }
      let reply =
        words.length === req.count
          ? encodeReadResponse(req.unitId, req.fn, words)
          : encodeExceptionResponse(req.unitId, req.fn, 2);
      if (state.corruptReplies > 0) {
        state.corruptReplies--;
        reply = Buffer.from(reply);
        reply.writeUInt16LE(crc16modbus(reply, 0, reply.length - 2) ^ 0x1234, reply.length - 2);
      }
      dev.write(reply).catch(() => {});
    }
  });
  return { close: () => dev.close() };
}
