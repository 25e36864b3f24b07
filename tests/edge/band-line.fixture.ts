/**
 * A wristband receiver's serial line for tests: a socat pty pair, the gateway's local bus and the real
 * wristband driver (device `band1`) reading the `rx` end, up before this resolves. Tests write to (or read
 * from) the `tx` end with `openSerial`. Everything is registered in `cleanups`, newest first to undo.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { LocalBus } from '../../edge/src/bus/local-broker.ts';
import { systemClock } from '../../edge/src/clock.ts';
import type { Driver } from '../../edge/src/drivers/driver.ts';
import { createWristbandDriver } from '../../edge/src/drivers/wristband/wristband.driver.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { startPtyPair } from '../../tools/harness/socat.ts';

export type Cleanups = (() => Promise<void>)[];

export interface BandLine {
  rx: string;
  tx: string;
  bus: LocalBus;
  driver: Driver;
  /** Takes the pty pair away (the receiver unplugged) and brings it back. */
  stopPty(): Promise<void>;
  startPty(): Promise<void>;
}

export async function startBandLine(cleanups: Cleanups): Promise<BandLine> {
  const dir = mkdtempSync(join(tmpdir(), 'band-'));
  const rx = join(dir, 'rx');
  const tx = join(dir, 'tx');
  let pair = await startPtyPair(rx, tx);
  cleanups.push(() => pair.stop());
  const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
  cleanups.push(() => bus.close());
  const driver = createWristbandDriver(
    { device: 'band1', path: rx, baudRate: 115200, reopenMinMs: 50, reopenMaxMs: 200 },
    { bus, log: silentLogger, clock: systemClock },
  );
  await driver.start();
  cleanups.push(() => driver.stop());
  await waitFor(() => driver.health().state === 'up', 5000, 'driver up');
  return {
    rx,
    tx,
    bus,
    driver,
    stopPty: () => pair.stop(),
    async startPty() {
      pair = await startPtyPair(rx, tx);
    },
  };
}

/** The far end of the line, open (closed again by `cleanups`). */
export async function openSerial(path: string, cleanups: Cleanups): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  cleanups.push(() => new Promise<void>((r) => port.close(() => r())));
  return port;
}

export function writeSerial(port: SerialPort, bytes: Buffer): Promise<void> {
  return new Promise<void>((r, j) => port.write(bytes, (e) => (e ? j(e) : r())));
}
