import type { CloudTopicKind } from '../../../contracts/src/index.ts';
import type { IngestService } from '../ingest/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';

/**
 * At most this many heartbeats and daily summaries are written at once per cloud process, so they can
 * never take every database connection (the pg pool holds 10) from alarms: at 10,000 gateways the
 * heartbeats alone are ~170 writes/s, and under load they queued events behind them (bench:fleet).
 * A gateway's next message waits behind its own heartbeat (one PUBLISH at a time per connection), which
 * costs a heartbeat some latency and an alarm from another home nothing.
 */
const TELEMETRY_CONCURRENCY = 4;

/** A counting semaphore: `run` starts `fn` when fewer than `limit` are running. */
function createGate(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
/** One gate per cloud (its ingest service), so two clouds in one test process do not share it. */
const telemetryGates = new WeakMap<IngestService, ReturnType<typeof createGate>>();

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
    else if (kind === 'cmd_result') await deps.onCommandResult?.(gatewayId, payload);
    else {
      let gate = telemetryGates.get(deps.ingest);
      if (!gate) {
        gate = createGate(TELEMETRY_CONCURRENCY);
        telemetryGates.set(deps.ingest, gate);
      }
      const { ingest } = deps;
      await gate(() =>
        kind === 'daily'
          ? ingest.handleDaily(gatewayId, payload)
          : ingest.handleHeartbeat(gatewayId, payload),
      );
    }
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
