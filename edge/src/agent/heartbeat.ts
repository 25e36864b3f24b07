import { statfsSync } from 'node:fs';
import type { Heartbeat } from '../../../contracts/src/index.ts';
import { EVENT_SCHEMA_VERSION } from '../../../contracts/src/index.ts';
import type { Clock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Driver } from '../drivers/driver.ts';
import type { MqttForwarder } from '../forwarder/mqtt-forwarder.ts';
import type { FileOutbox } from '../outbox/file-outbox.store.ts';
import { INACTIVITY_MODEL } from '../scoring/inactivity/index.ts';
import { METER_SAFETY_MODEL } from '../scoring/meter-safety/index.ts';
import type { Scorer } from '../scoring/scorer.ts';
import type { HomePipeline } from './home-pipeline.ts';
import { ProcessSampler } from './process-sampler.ts';

export const AGENT_VERSION = '0.1.0';
const HOME_MODELS = [INACTIVITY_MODEL, METER_SAFETY_MODEL];

/** How full the data dir's file system is; omitted where statfs is not available. */
function diskUsage(dir: string): { diskUsedPct?: number } {
  try {
    const fs = statfsSync(dir);
    return { diskUsedPct: Math.round((1 - fs.bavail / fs.blocks) * 1000) / 10 };
  } catch {
    return {};
  }
}

/**
 * The gateway's heartbeat: what it is, how it is doing and what it runs, built when it is sent (every
 * `cloud.heartbeatIntervalS` and on each connect) — and for the local status, with its own CPU sampler.
 */
export function createHeartbeat(
  config: GatewayConfig,
  deps: {
    clock: Clock;
    startedAt: number;
    outbox: FileOutbox;
    forwarder: () => MqttForwarder;
    unwritable: () => number;
    drivers: readonly Driver[];
    scorer: () => Scorer | undefined;
    home: () => HomePipeline | undefined;
  },
) {
  const { clock } = deps;
  const sampler = new ProcessSampler();
  let lastSentAt: string | undefined;
  const homeLearning = () => {
    const learning = deps.home()?.learning();
    return learning ? { homeLearning: learning } : {};
  };
  const build = (from: ProcessSampler = sampler): Heartbeat => {
    const usage = from.sample();
    const scorer = deps.scorer();
    return {
      schema: EVENT_SCHEMA_VERSION,
      gatewayId: config.gatewayId,
      sentAt: new Date(clock.now()).toISOString(),
      agentVersion: AGENT_VERSION,
      uptimeS: Math.round((clock.now() - deps.startedAt) / 1000),
      outboxDepth: deps.outbox.size(),
      outboxDropped: { ...deps.outbox.dropped, daily: deps.forwarder().stats.dailyDropped },
      outboxUnwritable: deps.unwritable(),
      drivers: Object.fromEntries(deps.drivers.map((d) => [d.id, d.health().state])),
      models: [...(scorer ? [scorer.model] : []), ...(deps.home() ? HOME_MODELS : [])],
      rssMb: usage.rssMb,
      cpuPct: usage.cpuPct,
      heartbeatIntervalS: config.cloud.heartbeatIntervalS,
      ...diskUsage(config.dataDir),
      ...homeLearning(),
    };
  };
  return {
    build,
    /** Sends one now, when the link is up. */
    send(): void {
      const forwarder = deps.forwarder();
      if (!forwarder.stats.connected) return;
      const hb = build();
      forwarder.publishHealth(hb);
      lastSentAt = hb.sentAt;
    },
    lastSentAt: () => lastSentAt,
  };
}

export type HeartbeatSource = ReturnType<typeof createHeartbeat>;
