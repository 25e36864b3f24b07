import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { LocalBus } from '../../../edge/src/bus/local-broker.ts';
import { silentLogger } from '../../../edge/src/log/logger.ts';
import { startPtyPair } from '../../../tools/harness/socat.ts';

/** Cleanups run in reverse after each test. */
export function useCleanups(): (fn: () => Promise<void>) => void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return (fn) => {
    cleanups.push(fn);
  };
}

/** A socat pty pair (`gw` for the driver, `dev` for the simulator) that a test can pull and put back. */
export async function ptyLine(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const gw = join(dir, 'gw');
  const dev = join(dir, 'dev');
  let pair = await startPtyPair(gw, dev);
  return {
    gw,
    dev,
    /** Kills socat: both ends vanish, as when a USB RS-485 adapter is pulled. */
    unplug: () => pair.stop(),
    async plugBack() {
      pair = await startPtyPair(gw, dev);
    },
    stop: () => pair.stop(),
  };
}

export async function localBus() {
  return LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
}

/** Records every payload on the bus under `home/#` by topic. */
export function recordReadings(bus: LocalBus) {
  const seen: { topic: string; payload: any }[] = [];
  bus.subscribe('home/#', (topic, payload) => seen.push({ topic, payload }));
  return {
    seen,
    on: (topic: string) => seen.filter((s) => s.topic === topic).map((s) => s.payload),
  };
}
