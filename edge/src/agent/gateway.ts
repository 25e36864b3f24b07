import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Heartbeat } from '../../../contracts/src/index.ts';
import { EVENT_SCHEMA_VERSION } from '../../../contracts/src/index.ts';
import { LocalBus } from '../bus/local-broker.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Driver, DriverFactory } from '../drivers/driver.ts';
import { drivers } from '../drivers/registry.ts';
import { MqttForwarder } from '../forwarder/mqtt-forwarder.ts';
import type { Logger } from '../log/logger.ts';
import { ModelUpdater, resolveActiveDir, updatableModels } from '../models-update/index.ts';
import { startNodeRed } from '../nodered/index.ts';
import { FileOutbox } from '../outbox/file-outbox.store.ts';
import { createRaiseEvent } from '../outbox/raise-event.ts';
import { dailyAffectFields } from '../scoring/emotion/affect-daily.ts';
import { INACTIVITY_MODEL } from '../scoring/inactivity/index.ts';
import { METER_SAFETY_MODEL } from '../scoring/meter-safety/index.ts';
import { scorers } from '../scoring/registry.ts';
import type { Detection, Scorer } from '../scoring/scorer.ts';
import { SwappableScorer } from '../scoring/swappable.scorer.ts';
import { type Supervision, startSupervision, supervisedDevices } from '../supervision/index.ts';
import { agentTopics, startStatusPublisher, writeRuntimeFile } from './agent-status.ts';
import { startCameraPipeline } from './camera-pipeline.ts';
import { startCameraPrivacy } from './camera-privacy.ts';
import { feedDailySummary } from './daily-summary.feed.ts';
import { DailySummary } from './daily-summary.ts';
import { startEmotionPipeline } from './emotion-pipeline.ts';
import { FallPipeline } from './fall-pipeline.ts';
import { deviceBindings, HomePipeline } from './home-pipeline.ts';
import { ProcessSampler } from './process-sampler.ts';
import { handleTestRequests } from './test-request.ts';

export const AGENT_VERSION = '0.1.0';
const HOME_MODELS = [INACTIVITY_MODEL, METER_SAFETY_MODEL];

export interface Gateway {
  readonly bus: LocalBus;
  readonly outbox: FileOutbox;
  readonly forwarder: MqttForwarder;
  readonly drivers: readonly Driver[];
  readonly scorer: Scorer | undefined;
  /** Carries out model updates from the cloud (`model_update` on gw/<id>/cmd). */
  readonly modelUpdater: ModelUpdater;
  heartbeat(): Heartbeat;
  stop(): Promise<void>;
}

/** How full the data dir's file system is; omitted where statfs is not available. */
function diskUsage(dir: string): { diskUsedPct?: number } {
  try {
    const fs = statfsSync(dir);
    return { diskUsedPct: Math.round((1 - fs.bavail / fs.blocks) * 1000) / 10 };
  } catch {
    return {};
  }
}

/** Composition root of the edge agent: build in order (bus, outbox, scorers, drivers, link), stop in reverse. */
export async function startGateway(
  config: GatewayConfig,
  log: Logger,
  clock: Clock = systemClock,
): Promise<Gateway> {
  const startedAt = clock.now();
  const bus = await LocalBus.start({ host: config.localBroker.host, port: config.localBroker.port, log });
  const outbox = new FileOutbox(join(config.dataDir, 'outbox'), log.child({ component: 'outbox' }), {
    limits: config.outbox,
  });
  const forwarder = new MqttForwarder({
    url: config.cloud.url,
    gatewayId: config.gatewayId,
    secret: config.cloud.secret,
    caFile: config.cloud.caFile,
    reconnectMinMs: config.cloud.reconnectMinMs,
    reconnectMaxMs: config.cloud.reconnectMaxMs,
    mqttVersion: config.cloud.mqttVersion,
    inFlightWindow: config.cloud.inFlightWindow,
    ...(config.cloud.telemetryPerS > 0
      ? { telemetryPace: { perS: config.cloud.telemetryPerS, burst: config.cloud.telemetryBurst } }
      : {}),
    store: outbox,
    clock,
    log: log.child({ component: 'forwarder' }),
    onCommand: (cmd) => {
      if (cmd.type === 'model_update') {
        void modelUpdater.handle(cmd);
        return;
      }
      if (cmd.type === 'vitals_limits') {
        if (supervision) supervision.setVitalsLimits(cmd);
        else log.warn({ command: cmd.type }, 'vitals limits received but supervision is off');
        return;
      }
      log.info({ command: cmd.type, eventId: cmd.eventId }, 'command from cloud');
      tests.command(cmd);
    },
    onConnect: () => sendHeartbeat(),
    onDelivered: (entry, ms) => tests.delivered(entry.event.id, ms),
  });

  const raiseEvent = createRaiseEvent({
    outbox,
    bus,
    gatewayId: config.gatewayId,
    residentId: config.residentId,
    now: () => clock.now(),
    log,
  });
  const tests = handleTestRequests({ bus, raise: raiseEvent, now: () => clock.now(), log });
  const raise = (d: Detection) =>
    raiseEvent(d).catch((err: unknown) => {
      log.error({ err }, 'could not store the event');
    });

  const started: Driver[] = [];
  let scorer: SwappableScorer | undefined;
  let pipeline: FallPipeline | undefined;
  const updateTargets = new Map<
    string,
    { scorer: SwappableScorer; model: (typeof updatableModels)[string] }
  >();
  if (config.wristband) {
    const loaded = await loadFallScorer(config, log);
    scorer = new SwappableScorer(loaded);
    const updatable = updatableModels[loaded.model.name];
    if (updatable) updateTargets.set(loaded.model.name, { scorer, model: updatable });
    log.info({ scorer: scorer.id, model: scorer.model }, 'fall scorer loaded');
    pipeline = new FallPipeline({
      device: config.wristband.device,
      scorer,
      confirmWindowMs: config.fall.confirmWindowMs,
      dedupeMs: config.fall.dedupeMs,
      bus,
      clock,
      log: log.child({ component: 'fall', device: config.wristband.device }),
      onAlarm: (d) => void raise(d),
    });
    pipeline.start();
    const driver = drivers.wristband(config.wristband, { bus, log, clock });
    await driver.start();
    started.push(driver);
  }

  const modelUpdater = new ModelUpdater({
    dataDir: config.dataDir,
    cloudUrl: config.cloud.url,
    gatewayId: config.gatewayId,
    secret: config.cloud.secret,
    targets: updateTargets,
    report: (result) => forwarder.publishCommandResult(result),
    onSwapped: () => {
      sendHeartbeat();
      status.publishNow();
    },
    log,
  });

  const sampler = new ProcessSampler();
  const heartbeat = (from: ProcessSampler = sampler): Heartbeat => {
    const usage = from.sample();
    return {
      schema: EVENT_SCHEMA_VERSION,
      gatewayId: config.gatewayId,
      sentAt: new Date(clock.now()).toISOString(),
      agentVersion: AGENT_VERSION,
      uptimeS: Math.round((clock.now() - startedAt) / 1000),
      outboxDepth: outbox.size(),
      outboxDropped: { ...outbox.dropped, daily: forwarder.stats.dailyDropped },
      outboxUnwritable: raiseEvent.unwritable(),
      drivers: Object.fromEntries(started.map((d) => [d.id, d.health().state])),
      models: [...(scorer ? [scorer.model] : []), ...(home ? HOME_MODELS : [])],
      rssMb: usage.rssMb,
      cpuPct: usage.cpuPct,
      heartbeatIntervalS: config.cloud.heartbeatIntervalS,
      ...diskUsage(config.dataDir),
      ...homeLearning(),
    };
  };
  const homeLearning = () => {
    const learning = home?.learning();
    return learning ? { homeLearning: learning } : {};
  };
  let lastHeartbeatSentAt: string | undefined;
  const sendHeartbeat = () => {
    if (!forwarder.stats.connected) return;
    const hb = heartbeat();
    forwarder.publishHealth(hb);
    lastHeartbeatSentAt = hb.sentAt;
  };
  // Cameras are read only when some are configured and the emotion pipeline is on (camera.emotion).
  const emotion =
    config.cameras.length > 0 && config.camera.emotion
      ? startEmotionPipeline({
          now: () => clock.now(),
          log: log.child({ component: 'emotion' }),
          raise: (r) =>
            void raiseEvent(r).catch((err: unknown) => log.error({ err }, 'could not store the event')),
        })
      : undefined;
  const daily = new DailySummary(
    { gatewayId: config.gatewayId, residentId: config.residentId },
    clock,
    (day) => {
      // The day's affect from the cameras (valence −1…1 and shares per expression) when enough faces were
      // seen; else none.
      const summary = { ...day, ...dailyAffectFields(emotion?.closeDay()) };
      log.info({ day: summary.day, activeMinutes: summary.activeMinutes }, 'daily summary');
      forwarder.publishDaily(summary);
    },
  );
  const dailyFeeds = feedDailySummary(bus, daily, clock);
  daily.start();

  let home: HomePipeline | undefined;
  for (const entry of config.devices) {
    const { type, ...driverConfig } = entry;
    const factory = drivers[type as keyof typeof drivers] as DriverFactory<unknown>;
    const driver = factory(driverConfig, { bus, log, clock });
    await driver.start();
    started.push(driver);
  }
  if (config.home.enabled && config.devices.length > 0) {
    const bindings = deviceBindings(config.devices);
    home = new HomePipeline({
      bindings,
      bus,
      clock,
      log: log.child({ component: 'home' }),
      stateDir: join(config.dataDir, 'state'),
      stateSaveIntervalMs: config.home.stateSaveIntervalMs,
      onAlarm: (d) => void raise(d),
      onObservation: (obs) => {
        if (obs.person && obs.active) daily.activity(obs.tMs);
      },
    });
    home.start();
    log.info({ devices: bindings.length }, 'home sensors watched for unusual silence and safety');
  }

  // Supervision after the drivers (it reads their readings and the receiver's port state).
  let supervision: Supervision | undefined;
  if (config.supervision.enabled) {
    const receiver = config.wristband ? started.find((d) => d.id === config.wristband?.device) : undefined;
    supervision = startSupervision({
      config: config.supervision,
      residentId: config.residentId,
      band:
        config.wristband && receiver
          ? { device: config.wristband.device, receiverUp: () => receiver.health().state === 'up' }
          : undefined,
      ...supervisedDevices(config.devices),
      bus,
      clock,
      stateDir: join(config.dataDir, 'state'),
      raise: raiseEvent,
      log: log.child({ component: 'supervision' }),
    });
  }

  // Installer rules: after the drivers (their readings feed the flows), before the link.
  const nodeRed = await startNodeRed({
    config: config.nodeRed,
    dataDir: config.dataDir,
    bus,
    log,
    raise: raiseEvent,
  });

  forwarder.start();
  const heartbeatTimer = setInterval(sendHeartbeat, config.cloud.heartbeatIntervalS * 1000);
  heartbeatTimer.unref();

  // For the installer CLI: a retained status on the local broker, and where to find that broker.
  const statusSampler = new ProcessSampler();
  const cameras = startCameraPrivacy({
    cameras: config.cameras,
    bus,
    log,
    onChange: () => {
      cameraPipeline.wake();
      status.publishNow();
    },
  });
  const cameraPipeline = startCameraPipeline({
    config,
    isEnabled: cameras.isEnabled,
    analyse: (room, frame) => (emotion ? emotion.analyse(room, frame) : 0),
    now: () => clock.now(),
    log: log.child({ component: 'camera' }),
  });
  const status = startStatusPublisher({
    now: () => clock.now(),
    publish: (s) => bus.publish(agentTopics.status, s, { retain: true }),
    build: () => {
      const hb = heartbeat(statusSampler);
      const { connected, delivered, failures, notDelivered, mqttVersion, lastDeliveredAt } = forwarder.stats;
      return {
        gatewayId: config.gatewayId,
        agentVersion: AGENT_VERSION,
        pid: process.pid,
        publishedAt: hb.sentAt,
        uptimeS: hb.uptimeS,
        drivers: started.map((d) => ({ id: d.id, ...d.health() })),
        models: hb.models,
        outboxDepth: hb.outboxDepth,
        outboxDropped: hb.outboxDropped,
        outboxUnwritable: hb.outboxUnwritable,
        cloud: { connected, delivered, failures, notDelivered, mqttVersion, lastDeliveredAt },
        lastHeartbeatSentAt,
        diskUsedPct: hb.diskUsedPct,
        cpuPct: hb.cpuPct,
        rssMb: hb.rssMb,
        ...(hb.homeLearning ? { homeLearning: hb.homeLearning } : {}),
        cameras: cameraPipeline.status(),
        ...(supervision ? { supervision: supervision.summary() } : {}),
      };
    },
  });
  writeRuntimeFile(config.dataDir, {
    pid: process.pid,
    localBrokerHost: config.localBroker.host,
    localBrokerPort: bus.port,
    startedAt: new Date(startedAt).toISOString(),
  });

  return {
    bus,
    outbox,
    forwarder,
    drivers: started,
    scorer,
    modelUpdater,
    heartbeat: () => heartbeat(),
    async stop() {
      clearInterval(heartbeatTimer);
      status.stop();
      cameras.stop();
      await cameraPipeline.stop();
      tests.stop();
      supervision?.stop();
      for (const d of [...started].reverse()) await d.stop();
      pipeline?.stop();
      home?.stop();
      daily.stop();
      for (const off of dailyFeeds) off();
      scorer?.dispose?.();
      await nodeRed?.stop();
      await forwarder.stop();
      await bus.close();
    },
  };
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
