import { Value } from '@sinclair/typebox/value';
import { LocalBus } from '../bus/local-broker.ts';
import { systemClock } from '../clock.ts';
import type { DriverFactory, DriverHealth } from '../drivers/driver.ts';
import { driverConfigSchemas, drivers } from '../drivers/registry.ts';
import { silentLogger } from '../log/logger.ts';

export type MeterType = 'modbus-rtu' | 'dlt645' | 'pulse-counter';
export const METER_TYPES: readonly MeterType[] = ['modbus-rtu', 'dlt645', 'pulse-counter'];

export interface MeterProbe {
  readings: { topic: string; payload: unknown }[];
  health: DriverHealth;
  /** Counters that mean "something answered, but not in this protocol" (CRC, checksum, skipped bytes …). */
  errorsSeen: number;
  verdict: 'ok' | 'silent' | 'garbage';
}

const ERROR_COUNTER =
  /crc|bad|reject|unexpected|skipped|exception|error|checksum|length|implausible|unknown/i;

/**
 * Runs the real driver of `type` with `entry` (one meter) against its port, on a throwaway local broker,
 * until it has published `readings` readings or `timeoutMs` passed; then stops it. What is read is exactly
 * what the agent would read with this config.
 */
export async function probeMeter(
  type: MeterType,
  entry: Record<string, unknown>,
  o: { readings: number; timeoutMs: number },
): Promise<MeterProbe> {
  const config = Value.Default(driverConfigSchemas[type], structuredClone(entry));
  const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
  const readings: MeterProbe['readings'] = [];
  let wake = () => {};
  const off = bus.subscribe('home/#', (topic, payload) => {
    readings.push({ topic, payload });
    wake();
  });
  const driver = (drivers[type] as DriverFactory<unknown>)(config, {
    bus,
    log: silentLogger,
    clock: systemClock,
  });
  try {
    await driver.start();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.timeoutMs);
      wake = () => {
        if (readings.length < o.readings) return;
        clearTimeout(timer);
        resolve();
      };
    });
  } finally {
    await driver.stop();
    off();
    await bus.close();
  }
  const health = driver.health();
  const errorsSeen = Object.entries(health.counters)
    .filter(([k]) => ERROR_COUNTER.test(k))
    .reduce((n, [, v]) => n + v, 0);
  const verdict = readings.length >= o.readings ? 'ok' : errorsSeen > 0 ? 'garbage' : 'silent';
  return { readings, health, errorsSeen, verdict };
}
