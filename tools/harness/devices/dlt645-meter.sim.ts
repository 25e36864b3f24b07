import {
  Control,
  DataId,
  Dlt645Decoder,
  encodeErrorReply,
  encodeReadReply,
  numberToBcd,
} from '../../../edge/src/drivers/dlt645/dlt645.codec.ts';
import { openDevicePort } from './serial-device.ts';

/** What the simulated meters report; the test changes it between polls. */
export interface Dlt645SimState {
  meters: Map<string, { energyKwh: number; powerW: number }>;
  /** Addresses that do not answer at all. */
  silent: Set<string>;
  /** The next N replies go out with a broken checksum (then good ones again). */
  corruptReplies: number;
  /** Garbage bytes sent before each reply (line noise). */
  noiseBeforeReply?: Buffer;
  requests: number;
}

export function dlt645SimState(
  meters: Record<string, { energyKwh: number; powerW: number }>,
): Dlt645SimState {
  return { meters: new Map(Object.entries(meters)), silent: new Set(), corruptReplies: 0, requests: 0 };
}

/**
 * A DL/T 645-2007 meter bus on the device end of a pty: answers 读数据 (11H) for total active energy
 * (4-byte BCD, 0.01 kWh) and total active power (3-byte BCD, 0.0001 kW, sign in D7); other data
 * identifiers get an error reply (D1H, 错误信息字 bit 1 "no requested data").
 */
export async function startDlt645MeterSim(path: string, state: Dlt645SimState) {
  const decoder = new Dlt645Decoder();
  const dev = await openDevicePort(
    path,
    (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (f.control !== Control.readData || f.data.length !== 4) continue;
        state.requests++;
        const meter = state.meters.get(f.address);
        if (!meter || state.silent.has(f.address)) continue;
        const di = f.data.readUInt32LE(0);
        let reply: Buffer;
        if (di === DataId.combinedActiveEnergyTotal) {
          reply = encodeReadReply(f.address, di, numberToBcd(meter.energyKwh, 4, 2), 2);
        } else if (di === DataId.activePowerTotal) {
          const v = numberToBcd(meter.powerW / 1000, 3, 4);
          if (meter.powerW < 0) v[2] = v[2]! | 0x80;
          reply = encodeReadReply(f.address, di, v, 2);
        } else {
          reply = encodeErrorReply(f.address, 0x02, 2);
        }
        if (state.corruptReplies > 0) {
          state.corruptReplies--;
          const cs = reply.length - 2;
          reply[cs] = reply[cs]! ^ 0x5a;
        }
        const bytes = state.noiseBeforeReply ? Buffer.concat([state.noiseBeforeReply, reply]) : reply;
        dev.write(bytes).catch(() => {});
      }
    },
    2400,
  );
  return { close: () => dev.close() };
}
