import { randomUUID } from 'node:crypto';
import {
  type BundleIndex,
  EVENT_SCHEMA_VERSION,
  type ModelUpdateCommand,
  parseCommandResult,
} from '../../../contracts/src/index.ts';
import type { Db } from '../db/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import { indexBundle } from './model-bundle.ts';
import type { ModelsRepository, PublishedModelRecord } from './models.repository.ts';

export interface ModelsServiceDeps {
  db: Db;
  models: ModelsRepository;
  metrics: CloudMetrics;
  log: Logger;
  /** Publishes on gw/<id>/cmd (the broker is started after this service: a late-bound function). */
  sendCommand: (gatewayId: string, command: ModelUpdateCommand) => Promise<void>;
  /** Base URL gateways fetch bundles from (config modelBundleBaseUrl, else the bound HTTP address). */
  bundleBaseUrl: () => string;
}

/** An unanswered command older than this is not resent (a week: a gateway away longer needs a person). */
const RESEND_WITHIN_S = 7 * 24 * 3600;

/** Where a gateway fetches one bundle's index; files are under <url>/files/<name>. */
export const bundlePath = (name: string, version: string) =>
  `/gateway-models/${encodeURIComponent(name)}/${encodeURIComponent(version)}`;

/**
 * Model updates, cloud side: publish a bundle (checked and hashed once, stored in the database so every
 * replica serves the same bytes), send `model_update` to one gateway or a station's, and record what each
 * gateway answers (on the command's row and the gateway's record, logged and counted).
 */
export function createModelsService(deps: ModelsServiceDeps) {
  const { db, models, metrics } = deps;
  const log = deps.log.child({ component: 'models' });

  return {
    /** Stores the bundle; `created: false` when the same bundle was already published (idempotent). */
    async publish(
      files: ReadonlyMap<string, Buffer>,
    ): Promise<{ model: PublishedModelRecord; created: boolean }> {
      const index = indexBundle(files);
      const { name, version } = index.model;
      const created = await db.transaction((tx) => models.publish(index, files, tx));
      const stored = await models.get(name, version);
      if (!stored) throw new Error(`model ${name} ${version} vanished after publishing`);
      if (!created && stored.bundleSha256 !== index.bundleSha256)
        throw new ConflictError(
          'CLOUD_MODEL_VERSION_EXISTS',
          `${name} ${version} is already published with different files; publish a new version`,
        );
      if (created) log.info({ model: name, version, bundleSha256: index.bundleSha256 }, 'model published');
      return { model: stored, created };
    },

    /** Sends the update to each target gateway; the rows are written before the commands leave. */
    async deploy(
      name: string,
      version: string,
      target: { gatewayId: string } | { stationId: string },
    ): Promise<{ commandId: string; gatewayId: string }[]> {
      const model = await models.get(name, version);
      if (!model)
        throw new NotFoundError('CLOUD_MODEL_NOT_FOUND', `model ${name} ${version} is not published`);
      const gatewayIds = await models.gatewayIds(target);
      if (gatewayIds.length === 0)
        throw new NotFoundError(
          'CLOUD_GATEWAY_NOT_FOUND',
          'gatewayId' in target
            ? `gateway ${target.gatewayId} not found`
            : `no gateways in station ${target.stationId}`,
        );
      const sent: { commandId: string; gatewayId: string }[] = [];
      for (const gatewayId of gatewayIds) {
        const command = commandFor(model, deps.bundleBaseUrl());
        await models.recordCommand({ commandId: command.id, gatewayId, index: model });
        try {
          await deps.sendCommand(gatewayId, command);
        } catch (err) {
          log.warn({ err, gatewayId, commandId: command.id }, 'model update command not sent');
          continue;
        }
        metrics.modelUpdatesSent.inc();
        log.info({ gatewayId, commandId: command.id, model: name, version }, 'model update sent');
        sent.push({ commandId: command.id, gatewayId });
      }
      return sent;
    },

    /**
     * Sends again (same command id) what this gateway has not answered yet: it was offline when the command
     * went out, or went away mid-update. Harmless when it did get it: the gateway answers `already_active`
     * or re-runs the same checks. Never throws.
     */
    async resendPending(gatewayId: string): Promise<void> {
      try {
        for (const u of await models.unanswered(gatewayId, RESEND_WITHIN_S)) {
          const model = await models.get(u.model.name, u.model.version);
          if (!model) continue;
          await deps.sendCommand(gatewayId, { ...commandFor(model, deps.bundleBaseUrl()), id: u.commandId });
          log.info(
            { gatewayId, commandId: u.commandId, model: u.model.name, version: u.model.version },
            'unanswered model update sent again',
          );
        }
      } catch (err) {
        log.warn({ err, gatewayId }, 'could not resend unanswered model updates');
      }
    },

    /** A message on gw/<gatewayId>/cmd_result. Bad input is logged and counted, never thrown. */
    async handleResult(gatewayId: string, payload: Uint8Array): Promise<void> {
      const parsed = parseCommandResult(payload);
      if (!parsed.ok) {
        metrics.ingestRejected.inc({ reason: parsed.reason });
        log.warn({ gatewayId, reason: parsed.reason, detail: parsed.detail }, 'command result rejected');
        return;
      }
      const r = parsed.value;
      if (r.gatewayId !== gatewayId) {
        metrics.ingestRejected.inc({ reason: 'gateway_mismatch' });
        log.warn({ gatewayId }, 'command result rejected: payload gatewayId ≠ topic');
        return;
      }
      const known = await models.recordResult(r);
      if (!known) {
        metrics.ingestRejected.inc({ reason: 'unknown_command' });
        log.warn(
          { gatewayId, commandId: r.commandId },
          'command result for a command this gateway was not sent',
        );
        return;
      }
      metrics.modelUpdateResults.inc({ outcome: r.outcome, reason: r.reason });
      const fields = {
        gatewayId,
        commandId: r.commandId,
        model: r.model.name,
        version: r.model.version,
        outcome: r.outcome,
        reason: r.reason,
        detail: r.detail,
        activeVersion: r.activeVersion,
        durationMs: r.durationMs,
      };
      if (r.outcome === 'accepted') log.info(fields, 'model update accepted by gateway');
      else log.warn(fields, `model update ${r.outcome.replace('_', ' ')} by gateway`);
    },
  };
}

function commandFor(model: BundleIndex, baseUrl: string): ModelUpdateCommand {
  return {
    schema: EVENT_SCHEMA_VERSION,
    id: randomUUID(),
    type: 'model_update',
    model: model.model,
    bundleSha256: model.bundleSha256,
    bundleUrl: `${baseUrl.replace(/\/+$/, '')}${bundlePath(model.model.name, model.model.version)}`,
  };
}

export type ModelsService = ReturnType<typeof createModelsService>;
