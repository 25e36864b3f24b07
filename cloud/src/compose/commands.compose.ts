import { EVENT_SCHEMA_VERSION } from '../../../contracts/src/index.ts';
import type { CasesRepository } from '../cases/index.ts';
import type { CloudConfig } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import { createModelsRepository, createModelsService } from '../models/index.ts';
import type { CloudBroker } from '../mqtt/index.ts';
import { createVitalsLimitsRepository, createVitalsLimitsSender } from '../vitals/index.ts';

/**
 * What the cloud tells gateways over MQTT: model updates (issue 6), vitals limits, and the
 * acknowledgement of a case. The broker and the HTTP address are bound later, hence the late lookups.
 */
export function composeGatewayCommands(
  config: Readonly<CloudConfig>,
  deps: {
    db: Db;
    cases: CasesRepository;
    metrics: CloudMetrics;
    log: Logger;
    broker: () => CloudBroker;
    httpUrl: () => string;
  },
) {
  const { db, metrics, log, broker } = deps;
  const models = createModelsRepository(db);
  const modelsService = createModelsService({
    db,
    models,
    metrics,
    log,
    sendCommand: (gatewayId, command) => broker().publishCommand(gatewayId, command),
    bundleBaseUrl: () => config.modelBundleBaseUrl ?? deps.httpUrl(),
  });
  const vitalsLimits = createVitalsLimitsRepository(db);
  const vitalsSender = createVitalsLimitsSender({
    limits: vitalsLimits,
    sendCommand: (gatewayId, command) => broker().publishCommand(gatewayId, command),
    log,
  });

  /** Tells the gateway that raised a case that somebody acknowledged it. Never rejects. */
  const tellGateway = (caseId: string): void => {
    void (async () => {
      const latest = await deps.cases.latestEvent(caseId);
      if (!latest) return;
      await broker().publishCommand(latest.gatewayId, {
        schema: EVENT_SCHEMA_VERSION,
        id: crypto.randomUUID(),
        type: 'ack',
        eventId: latest.id,
        caseId,
      });
    })().catch((err: unknown) => log.warn({ err, caseId }, 'could not tell the gateway about the ack'));
  };

  return {
    models,
    modelsService,
    vitalsLimits,
    vitalsSender,
    tellGateway,
    /** A gateway subscribed to its commands: resend what it may have missed. */
    onCommandsSubscribed(gatewayId: string): void {
      void modelsService.resendPending(gatewayId);
      void vitalsSender.resend(gatewayId);
    },
  };
}
