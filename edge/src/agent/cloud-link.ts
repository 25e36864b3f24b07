import type { Command } from '../../../contracts/src/index.ts';
import type { Clock } from '../clock.ts';
import type { GatewayConfig } from '../config/gateway.config.ts';
import { MqttForwarder } from '../forwarder/mqtt-forwarder.ts';
import type { Logger } from '../log/logger.ts';
import type { FileOutbox } from '../outbox/file-outbox.store.ts';
import type { StoredEvent } from '../outbox/store.ts';

/** Who carries out each command from the cloud (gw/<id>/cmd). */
export interface CommandHandlers {
  modelUpdate(cmd: Extract<Command, { type: 'model_update' }>): void;
  vitalsLimits(cmd: Extract<Command, { type: 'vitals_limits' }>): void;
  /** Everything else (a case acknowledged: the test-request hops). */
  other(cmd: Exclude<Command, { type: 'model_update' | 'vitals_limits' }>): void;
}

/** The link to the cloud: the outbox drained over MQTT(S), heartbeats out, commands in. */
export function createCloudLink(
  config: GatewayConfig,
  deps: {
    outbox: FileOutbox;
    clock: Clock;
    log: Logger;
    commands: () => CommandHandlers;
    onConnect: () => void;
    onDelivered: (entry: StoredEvent, ms: number) => void;
  },
): MqttForwarder {
  const { log } = deps;
  return new MqttForwarder({
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
    store: deps.outbox,
    clock: deps.clock,
    log: log.child({ component: 'forwarder' }),
    onCommand: (cmd) => {
      const handlers = deps.commands();
      if (cmd.type === 'model_update') return handlers.modelUpdate(cmd);
      if (cmd.type === 'vitals_limits') return handlers.vitalsLimits(cmd);
      log.info({ command: cmd.type, eventId: cmd.eventId }, 'command from cloud');
      handlers.other(cmd);
    },
    onConnect: deps.onConnect,
    onDelivered: deps.onDelivered,
  });
}
