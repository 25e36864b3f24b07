import { UserError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Notifier, NotifierFactory } from './notifier.ts';
import { createSmsLogNotifier } from './sms-log.notifier.ts';

/**
 * The built-in channels, by name: a readable list, no file-system discovery. Add a provider adapter
 * (e.g. Aliyun SMS) here and select it with `notify.guardianChannel` in the config.
 */
export const builtInNotifiers = {
  'sms-log': createSmsLogNotifier,
} satisfies Record<string, NotifierFactory>;

export interface NotifierRegistry {
  get(channel: string): Notifier;
  channels(): string[];
}

/** Instantiates every factory (built-ins plus `extra`, which may override a name, e.g. in tests). */
export function createNotifierRegistry(
  deps: { log: Logger },
  extra: Readonly<Record<string, NotifierFactory>> = {},
): NotifierRegistry {
  const all = new Map<string, Notifier>();
  for (const [name, factory] of Object.entries({ ...builtInNotifiers, ...extra }))
    all.set(name, factory(deps));
  return {
    get(channel) {
      const n = all.get(channel);
      if (!n) {
        throw new UserError(
          'CLOUD_NOTIFIER_UNKNOWN',
          `no notifier named ${channel}; registered: ${[...all.keys()].join(', ')}`,
        );
      }
      return n;
    },
    channels: () => [...all.keys()],
  };
}
