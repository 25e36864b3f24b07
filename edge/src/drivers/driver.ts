import type { LocalBus } from '../bus/local-broker.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';

export interface DriverHealth {
  state: 'up' | 'down';
  detail?: string;
  counters: Record<string, number>;
}

/** A device family's driver: it turns a device's own protocol into readings on the local bus. */
export interface Driver {
  readonly id: string;
  /** Starts reading; a device that is absent is not an error: the driver keeps trying to reach it. */
  start(): Promise<void>;
  /** Idempotent. */
  stop(): Promise<void>;
  health(): DriverHealth;
}

export interface DriverDeps {
  bus: LocalBus;
  log: Logger;
  clock: Clock;
}

export type DriverFactory<C> = (config: C, deps: DriverDeps) => Driver;
