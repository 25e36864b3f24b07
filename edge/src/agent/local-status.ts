import type { LocalBus } from '../bus/local-broker.ts';
import type { CameraStatus } from '../camera/index.ts';
import type { Clock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import type { Driver } from '../drivers/driver.ts';
import type { MqttForwarder } from '../forwarder/mqtt-forwarder.ts';
import type { Supervision } from '../supervision/index.ts';
import { agentTopics, startStatusPublisher } from './agent-status.ts';
import type { HeartbeatSource } from './heartbeat.ts';
import { AGENT_VERSION } from './heartbeat.ts';
import { ProcessSampler } from './process-sampler.ts';

/** For the installer CLI (`anju-gw status`): the agent's status, retained on the local broker. */
export function startLocalStatus(
  config: GatewayConfig,
  deps: {
    bus: LocalBus;
    clock: Clock;
    heartbeat: HeartbeatSource;
    forwarder: MqttForwarder;
    drivers: readonly Driver[];
    cameras: () => CameraStatus[];
    supervision: Supervision | undefined;
  },
) {
  const { forwarder, supervision } = deps;
  const statusSampler = new ProcessSampler();
  return startStatusPublisher({
    now: () => deps.clock.now(),
    publish: (s) => deps.bus.publish(agentTopics.status, s, { retain: true }),
    build: () => {
      const hb = deps.heartbeat.build(statusSampler);
      const { connected, delivered, failures, notDelivered, mqttVersion, lastDeliveredAt } = forwarder.stats;
      return {
        gatewayId: config.gatewayId,
        agentVersion: AGENT_VERSION,
        pid: process.pid,
        publishedAt: hb.sentAt,
        uptimeS: hb.uptimeS,
        drivers: deps.drivers.map((d) => ({ id: d.id, ...d.health() })),
        models: hb.models,
        outboxDepth: hb.outboxDepth,
        outboxDropped: hb.outboxDropped,
        outboxUnwritable: hb.outboxUnwritable,
        cloud: { connected, delivered, failures, notDelivered, mqttVersion, lastDeliveredAt },
        lastHeartbeatSentAt: deps.heartbeat.lastSentAt(),
        diskUsedPct: hb.diskUsedPct,
        cpuPct: hb.cpuPct,
        rssMb: hb.rssMb,
        ...(hb.homeLearning ? { homeLearning: hb.homeLearning } : {}),
        cameras: deps.cameras(),
        ...(supervision ? { supervision: supervision.summary() } : {}),
      };
    },
  });
}
