import type { FastifyPluginAsync } from 'fastify';
import { ConfigError } from '../../core/config-error.ts';
import type { Queryable } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { MetricsRegistry } from '../../metrics/metrics.registry.ts';
import type { CaseTimelinePort } from '../case-timeline.port.ts';
import { createInboundReplyService } from '../inbound/inbound-reply.service.ts';
import type { ReplyHandler } from '../inbound/reply-handler.ts';
import type { ReplyTarget } from '../inbound/reply-target.ts';
import type { MessageType } from '../message-types.ts';
import type { NotifierFactory } from '../notifier.ts';
import { ALIYUN_CHANNEL, createAliyunSmsNotifier } from './aliyun/aliyun-sms.notifier.ts';
import { buildTemplateTable } from './aliyun/aliyun-templates.ts';
import { aliyunWebhookRoutes } from './aliyun/aliyun-webhooks.routes.ts';
import { retryPolicy } from './send-retry.ts';
import { createSmsMetrics } from './sms.metrics.ts';
import { createSmsLedger, type SmsLedger } from './sms-ledger.repository.ts';
import type { SmsNotifierDeps } from './sms-notifier.deps.ts';
import type { SmsProvidersConfig } from './sms-providers.config.ts';
import { createTwilioSmsNotifier, TWILIO_CHANNEL } from './twilio/twilio-sms.notifier.ts';
import { twilioWebhookRoutes } from './twilio/twilio-webhooks.routes.ts';

export interface SmsProviders {
  /** Notifier channels for the configured providers (`aliyun-sms`, `twilio-sms`), for the registry. */
  readonly notifiers: Readonly<Record<string, NotifierFactory>>;
  /** Binds the database and the reply handler once they exist; the webhooks need both. */
  attach(deps: {
    db: Queryable;
    /** The cases module's timeline (delivery receipts leave an entry on their case). */
    timeline: CaseTimelinePort;
    replyHandler: ReplyHandler;
    replyTargets?: readonly ReplyTarget[];
  }): void;
  /** The webhook routes of the configured providers (none when no provider is configured). */
  routes(): FastifyPluginAsync;
}

/**
 * Composition of the real SMS providers from `notify.providers`: built before the database (the
 * registry checks `guardianChannel` before anything opens), attached to it afterwards.
 */
export function createSmsProviders(
  config: Readonly<SmsProvidersConfig> | undefined,
  deps: {
    log: Logger;
    registry: MetricsRegistry;
    timeZone: string;
    fetch?: typeof fetch;
    /** The kinds of text the service will send through Aliyun (its templates are checked for them). */
    aliyunMessageTypes?: readonly MessageType[];
  },
): SmsProviders {
  const problems: string[] = [];
  if (config?.twilio && !config.twilio.from && !config.twilio.messagingServiceSid) {
    problems.push('notify.providers.twilio: set `from` or `messagingServiceSid`');
  }
  const templates = config?.aliyun && buildTemplateTable(config.aliyun, deps.aliyunMessageTypes ?? []);
  if (templates) problems.push(...templates.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  if (templates && templates.englishFallback.length > 0) {
    deps.log.warn(
      { messageTypes: templates.englishFallback },
      'aliyun: no English template for these texts; English recipients get the zh-CN one',
    );
  }
  const metrics = createSmsMetrics(deps.registry);
  let bound:
    | { db: Queryable; ledger: SmsLedger; replyHandler: ReplyHandler; replyTargets: readonly ReplyTarget[] }
    | undefined;
  const notifierDeps = (log: Logger): SmsNotifierDeps => ({
    log,
    retry: retryPolicy(config?.retry),
    timeZone: deps.timeZone,
    metrics,
    ledger: () => bound?.ledger,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  const notifiers: Record<string, NotifierFactory> = {};
  const aliyun = config?.aliyun;
  const twilio = config?.twilio;
  if (aliyun && templates) {
    notifiers[ALIYUN_CHANNEL] = ({ log }) =>
      createAliyunSmsNotifier(aliyun, templates.table, notifierDeps(log));
  }
  if (twilio) notifiers[TWILIO_CHANNEL] = ({ log }) => createTwilioSmsNotifier(twilio, notifierDeps(log));

  return {
    notifiers,
    attach({ db, timeline, replyHandler, replyTargets = [] }) {
      bound = { db, ledger: createSmsLedger(db, timeline), replyHandler, replyTargets };
    },
    routes() {
      return async (app) => {
        if (!bound) throw new Error('createSmsProviders: attach() before routes are registered');
        const inbound = createInboundReplyService({
          db: bound.db,
          handler: bound.replyHandler,
          targets: bound.replyTargets,
          log: deps.log,
        });
        const common = { ledger: bound.ledger, inbound, metrics };
        // Each provider in its own encapsulated plugin: its auth hook and body parser stay its own.
        if (aliyun) await app.register(aliyunWebhookRoutes({ config: aliyun, ...common }));
        if (twilio) await app.register(twilioWebhookRoutes({ config: twilio, ...common }));
      };
    },
  };
}
