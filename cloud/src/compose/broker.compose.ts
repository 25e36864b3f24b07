import type { CloudConfig } from '../config/index.ts';
import { type CloudBroker, startCloudBroker, startExternalBroker } from '../mqtt/index.ts';

/** The embedded aedes broker, or a consumer of an external broker shared with other cloud processes. */
export function startBroker(
  mqtt: CloudConfig['mqtt'],
  deps: Omit<Parameters<typeof startCloudBroker>[0], 'host' | 'port'>,
): Promise<CloudBroker> {
  if (mqtt.mode === 'embedded') return startCloudBroker({ host: mqtt.host, port: mqtt.port, ...deps });
  // loadConfig has checked that external mode has its url, password and clientId.
  return startExternalBroker({
    url: mqtt.url!,
    password: mqtt.password!,
    clientId: mqtt.clientId!,
    sharedGroup: mqtt.sharedGroup ?? 'anju-cloud',
    consumers: mqtt.consumers ?? 4,
    caFile: mqtt.caFile,
    rateLimit: deps.rateLimit,
    ingest: deps.ingest,
    metrics: deps.metrics,
    log: deps.log,
    onCommandResult: deps.onCommandResult,
  });
}
