import { encodePulseLine } from '../../../edge/src/drivers/pulse-counter/pulse-counter.codec.ts';
import { openDevicePort } from './serial-device.ts';

/**
 * A pulse-counter board on the device end of a pty: `report()` sends every channel's count (as the board
 * does on its timer), `send()` writes raw bytes (for damaged lines and noise).
 */
export async function startPulseBoardSim(path: string, counts: Map<number, number>) {
  const dev = await openDevicePort(path, () => {});
  return {
    counts,
    async report(): Promise<void> {
      const lines = [...counts].map(([channel, count]) => encodePulseLine({ channel, count }));
      await dev.write(Buffer.concat(lines));
    },
    send: (bytes: Buffer) => dev.write(bytes),
    close: () => dev.close(),
  };
}
