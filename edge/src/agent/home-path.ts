import { join } from 'node:path';
import type { LocalBus } from '../bus/local-broker.ts';
import type { Clock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Driver, DriverFactory } from '../drivers/driver.ts';
import { drivers } from '../drivers/registry.ts';
import type { Logger } from '../log/logger.ts';
import type { Detection } from '../scoring/scorer.ts';
import type { DailySummary } from './daily-summary.ts';
import { deviceBindings, HomePipeline } from './home-pipeline.ts';

/**
 * The home's sensors and meters (`devices`): each driver started in order, then — when `home.enabled` —
 * the home pipeline that watches them for unusual silence and safety and counts the day's activity.
 */
export async function startHomePath(
  config: GatewayConfig,
  deps: {
    bus: LocalBus;
    clock: Clock;
    log: Logger;
    raise: (d: Detection) => void;
    daily: DailySummary;
    /** Each driver as it starts (the gateway's list, in start order). */
    started: Driver[];
  },
): Promise<HomePipeline | undefined> {
  const { bus, clock, log } = deps;
  for (const entry of config.devices) {
    const { type, ...driverConfig } = entry;
    const factory = drivers[type as keyof typeof drivers] as DriverFactory<unknown>;
    const driver = factory(driverConfig, { bus, log, clock });
    await driver.start();
    deps.started.push(driver);
  }
  if (!config.home.enabled || config.devices.length === 0) return undefined;
  const bindings = deviceBindings(config.devices);
  const home = new HomePipeline({
    bindings,
    bus,
    clock,
    log: log.child({ component: 'home' }),
    stateDir: join(config.dataDir, 'state'),
    stateSaveIntervalMs: config.home.stateSaveIntervalMs,
    onAlarm: deps.raise,
    onObservation: (obs) => {
      if (obs.person && obs.active) deps.daily.activity(obs.tMs);
    },
  });
  home.start();
  log.info({ devices: bindings.length }, 'home sensors watched for unusual silence and safety');
  return home;
}
