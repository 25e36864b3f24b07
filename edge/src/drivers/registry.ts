import type { DriverFactory } from './driver.ts';
import { createWristbandDriver } from './wristband/wristband.driver.ts';

/** Drivers by the type name the gateway config uses (an explicit, readable list; no discovery). */
export const drivers = {
  wristband: createWristbandDriver,
} satisfies Record<string, DriverFactory<never>>;
