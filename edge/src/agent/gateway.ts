import { join } from 'node:path';
import type { Heartbeat } from '../../../contracts/src/index.ts';
import { LocalBus } from '../bus/local-broker.ts';
import { DEFAULT_STILL_SCENE } from '../camera/still-scene.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Driver } from '../drivers/driver.ts';
import type { MqttForwarder } from '../forwarder/mqtt-forwarder.ts';
import type { Logger } from '../log/logger.ts';
import { ModelUpdater } from '../models-update/index.ts';
import { startNodeRed } from '../nodered/index.ts';
import { FileOutbox } from '../outbox/file-outbox.store.ts';
import { createRaiseEvent } from '../outbox/raise-event.ts';
import type { Detection, Scorer } from '../scoring/scorer.ts';
import { type Supervision, startSupervision, supervisedDevices } from '../supervision/index.ts';
import { writeRuntimeFile } from './agent-status.ts';
import { startCameraPipeline } from './camera-pipeline.ts';
import { startCameraPrivacy } from './camera-privacy.ts';
import { createCloudLink } from './cloud-link.ts';
import { feedDailySummary } from './daily-summary.feed.ts';
import { DailySummary } from './daily-summary.ts';
import { startEmotionPipeline } from './emotion-pipeline.ts';
import { startFallPath } from './fall-path.ts';
import { createHeartbeat } from './heartbeat.ts';
import { startHomePath } from './home-path.ts';
import type { HomePipeline } from './home-pipeline.ts';
import { startLocalStatus } from './local-status.ts';
import { handleTestRequests } from './test-request.ts';

export { AGENT_VERSION } from './heartbeat.ts';

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

/**
 * Composition root of the edge agent: the local bus and the outbox, the link to the cloud, the fall
 * path, the daily summary and the cameras' emotion pipeline, the home's devices, supervision, Node-RED,
 * then the link starts; the local status last. Stops in reverse.
 */
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
  const started: Driver[] = [];
  let home: HomePipeline | undefined;
  let supervision: Supervision | undefined;
  const forwarder = createCloudLink(config, {
    outbox,
    clock,
    log,
    commands: () => ({
      modelUpdate: (cmd) => void modelUpdater.handle(cmd),
      vitalsLimits: (cmd) => {
        if (supervision) supervision.setVitalsLimits(cmd);
        else log.warn({ command: cmd.type }, 'vitals limits received but supervision is off');
      },
      other: (cmd) => tests.command(cmd),
    }),
    onConnect: () => heartbeat.send(),
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
    void raiseEvent(d).catch((err: unknown) => {
      log.error({ err }, 'could not store the event');
    });

  const fall = await startFallPath(config, { bus, clock, log, raise });
  if (fall.driver) started.push(fall.driver);
  const heartbeat = createHeartbeat(config, {
    clock,
    startedAt,
    outbox,
    forwarder: () => forwarder,
    unwritable: () => raiseEvent.unwritable(),
    drivers: started,
    scorer: () => fall.scorer,
    home: () => home,
  });
  const modelUpdater = new ModelUpdater({
    dataDir: config.dataDir,
    cloudUrl: config.cloud.url,
    gatewayId: config.gatewayId,
    secret: config.cloud.secret,
    targets: fall.updateTargets,
    report: (result) => forwarder.publishCommandResult(result),
    onSwapped: () => {
      heartbeat.send();
      status.publishNow();
    },
    log,
  });

  // Cameras are read only when some are configured and the emotion pipeline is on (camera.emotion).
  const emotion =
    config.cameras.length > 0 && config.camera.emotion
      ? startEmotionPipeline({
          now: () => clock.now(),
          log: log.child({ component: 'emotion' }),
          stillScene: { ...DEFAULT_STILL_SCENE, maxSkipMs: config.camera.stillSceneMaxSkipMs },
          raise: (r) =>
            void raiseEvent(r).catch((err: unknown) => log.error({ err }, 'could not store the event')),
        })
      : undefined;
  const daily = new DailySummary(
    { gatewayId: config.gatewayId, residentId: config.residentId },
    clock,
    (day) => {
      // The day's affect from the cameras (valence −1…1) when enough faces were seen; else none.
      const affect = emotion?.closeDay();
      const summary =
        affect?.counted && affect.valence !== undefined ? { ...day, affect: affect.valence } : day;
      log.info({ day: summary.day, activeMinutes: summary.activeMinutes }, 'daily summary');
      forwarder.publishDaily(summary);
    },
  );
  const dailyFeeds = feedDailySummary(bus, daily, clock);
  daily.start();
  home = await startHomePath(config, { bus, clock, log, raise, daily, started });

  // Supervision after the drivers (it reads their readings and the receiver's port state).
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
  const heartbeatTimer = setInterval(() => heartbeat.send(), config.cloud.heartbeatIntervalS * 1000);
  heartbeatTimer.unref();

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
  // For the installer CLI: a retained status on the local broker, and where to find that broker.
  const status = startLocalStatus(config, {
    bus,
    clock,
    heartbeat,
    forwarder,
    drivers: started,
    cameras: () => cameraPipeline.status(),
    supervision,
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
    scorer: fall.scorer,
    modelUpdater,
    heartbeat: () => heartbeat.build(),
    async stop() {
      clearInterval(heartbeatTimer);
      status.stop();
      cameras.stop();
      await cameraPipeline.stop();
      tests.stop();
      supervision?.stop();
      for (const d of [...started].reverse()) await d.stop();
      fall.pipeline?.stop();
      home?.stop();
      daily.stop();
      for (const off of dailyFeeds) off();
      fall.scorer?.dispose?.();
      await nodeRed?.stop();
      await forwarder.stop();
      await bus.close();
    },
  };
}
