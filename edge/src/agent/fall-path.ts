import type { LocalBus } from '../bus/local-broker.ts';
import type { Clock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Driver } from '../drivers/driver.ts';
import { drivers } from '../drivers/registry.ts';
import type { Logger } from '../log/logger.ts';
import { resolveActiveDir, updatableModels } from '../models-update/index.ts';
import { scorers } from '../scoring/registry.ts';
import type { Detection, Scorer } from '../scoring/scorer.ts';
import { SwappableScorer } from '../scoring/swappable.scorer.ts';
import { FallPipeline } from './fall-pipeline.ts';

/** Models the cloud may replace on this gateway, by name (the model updater's targets). */
export type UpdateTargets = Map<string, { scorer: SwappableScorer; model: (typeof updatableModels)[string] }>;

/**
 * The wristband's way to an alarm, when a wristband is configured: the fall scorer (swappable by a
 * model update), the confirm pipeline ("I'm OK" window) and the receiver's driver, started in that order.
 */
export async function startFallPath(
  config: GatewayConfig,
  deps: { bus: LocalBus; clock: Clock; log: Logger; raise: (d: Detection) => void },
): Promise<{
  scorer: SwappableScorer | undefined;
  pipeline: FallPipeline | undefined;
  driver: Driver | undefined;
  updateTargets: UpdateTargets;
}> {
  const { bus, clock, log } = deps;
  const updateTargets: UpdateTargets = new Map();
  if (!config.wristband) return { scorer: undefined, pipeline: undefined, driver: undefined, updateTargets };
  const loaded = await loadFallScorer(config, log);
  const scorer = new SwappableScorer(loaded);
  const updatable = updatableModels[loaded.model.name];
  if (updatable) updateTargets.set(loaded.model.name, { scorer, model: updatable });
  log.info({ scorer: scorer.id, model: scorer.model }, 'fall scorer loaded');
  const pipeline = new FallPipeline({
    device: config.wristband.device,
    scorer,
    confirmWindowMs: config.fall.confirmWindowMs,
    dedupeMs: config.fall.dedupeMs,
    bus,
    clock,
    log: log.child({ component: 'fall', device: config.wristband.device }),
    onAlarm: deps.raise,
  });
  pipeline.start();
  const driver = drivers.wristband(config.wristband, { bus, log, clock });
  await driver.start();
  return { scorer, pipeline, driver, updateTargets };
}

/**
 * The fall scorer, with the model the cloud last made active (`<dataDir>/models/fall-model/`, re-verified
 * from disk) when there is one, else the configured or shipped model. An installed model that no longer
 * verifies or loads is logged and skipped: the agent must come up with some model rather than none.
 */
async function loadFallScorer(config: GatewayConfig, log: Logger): Promise<Scorer> {
  const factory = scorers[config.fall.scorer as keyof typeof scorers];
  const options = {
    log: (msg: string) => log.info({ component: 'scoring' }, msg),
    ...(config.fall.threshold === undefined ? {} : { threshold: config.fall.threshold }),
  };
  if (config.fall.scorer === 'fall-model') {
    const installed = resolveActiveDir(config.dataDir, 'fall-model', (msg, fields) => log.warn(fields, msg));
    if (installed) {
      try {
        const scorer = await factory({ ...options, modelDir: installed.dir });
        log.info({ version: installed.version }, 'model installed by a cloud update loaded');
        return scorer;
      } catch (err) {
        log.error(
          { err, version: installed.version },
          'installed model failed to load; using the shipped one',
        );
      }
    }
  }
  return factory({
    ...options,
    ...(config.fall.modelDir === undefined ? {} : { modelDir: config.fall.modelDir }),
  });
}
