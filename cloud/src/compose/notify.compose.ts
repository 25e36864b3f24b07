import type { CloudConfig } from '../config/index.ts';
import { ConfigError } from '../core/config-error.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import { createNotifierRegistry, type NotifierFactory } from '../notify/index.ts';
import { MESSAGE_TYPES, type MessageType } from '../notify/message-types.ts';
import { createSmsProviders } from '../notify/providers/sms-providers.ts';

/**
 * The text channels: the real SMS providers (notify.providers) join the registry, `extra` (tests) wins.
 * Checked before anything opens: a guardian channel nobody registered stops the start (ConfigError).
 */
export function composeChannels(
  config: Readonly<CloudConfig>,
  deps: { log: Logger; metrics: CloudMetrics; extra?: Readonly<Record<string, NotifierFactory>> },
) {
  const sms = createSmsProviders(config.notify.providers, {
    log: deps.log,
    registry: deps.metrics.registry,
    timeZone: config.timeZone,
    aliyunMessageTypes: config.notify.guardianChannel === 'aliyun-sms' ? messageTypesSent(config) : [],
  });
  const registry = createNotifierRegistry({ log: deps.log }, { ...sms.notifiers, ...deps.extra });
  if (!registry.channels().includes(config.notify.guardianChannel)) {
    throw new ConfigError([
      `notify.guardianChannel: no notifier named ${config.notify.guardianChannel}; registered: ${registry.channels().join(', ')}`,
    ]);
  }
  return { sms, registry };
}

/** Every kind of text this configuration can send (all of them go through the guardian channel). */
function messageTypesSent(config: Readonly<CloudConfig>): MessageType[] {
  return MESSAGE_TYPES.filter(
    (t) =>
      (t !== 'survey' || config.survey.enabled) &&
      (!t.startsWith('duty_desk_') || config.dispatch.dutyDesk !== undefined),
  );
}
