import type { CloudTopicKind } from '../../../contracts/src/index.ts';
import type { IngestService } from '../ingest/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';

/**
 * One gateway message handed to ingest — the same path whether it arrived on the embedded broker or from
 * an external one. Resolves `null` when the message may be acknowledged (committed, a duplicate, or
 * rejected as malformed: resending it would not help), or the error when an EVENT could not be committed:
 * the caller must then withhold the acknowledgement so the event is delivered again. Never rejects.
 */
export async function ingestGatewayMessage(
  deps: {
    ingest: IngestService;
    metrics: CloudMetrics;
    log: Logger;
    /** Results of commands (gw/<id>/cmd_result); must not throw for bad input. */
    onCommandResult?: ((gatewayId: string, payload: Uint8Array) => Promise<void>) | undefined;
  },
  gatewayId: string,
  kind: CloudTopicKind | undefined,
  payload: Uint8Array,
): Promise<Error | null> {
  try {
    if (kind === 'events') await deps.ingest.handleEvent(gatewayId, payload);
    else if (kind === 'daily') await deps.ingest.handleDaily(gatewayId, payload);
    else if (kind === 'cmd_result') await deps.onCommandResult?.(gatewayId, payload);
    else await deps.ingest.handleHeartbeat(gatewayId, payload);
    return null;
  } catch (err) {
    deps.metrics.ingestErrors.inc({ topic: kind ?? 'unknown' });
    if (kind === 'events') {
      deps.log.error({ err, gatewayId }, 'event not committed: withholding the acknowledgement');
      return err instanceof Error ? err : new Error(String(err));
    }
    // Heartbeats and daily summaries are telemetry: losing one is harmless, holding the link for it is not.
    deps.log.warn({ err, gatewayId, topic: kind }, 'telemetry message not recorded');
    return null;
  }
}
