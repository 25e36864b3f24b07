import type { CloudTopicKind } from '../../../contracts/src/index.ts';
import type { IngestService } from '../ingest/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';

/**
 * At most this many daily summaries are written at once per cloud process, so they can never take every
 * database connection (the pg pool holds 10) from alarms: a fleet sends its days around midnight.
 * (Heartbeats need no slot: they are batched, supervision/heartbeat-batcher.ts.)
 */
const TELEMETRY_CONCURRENCY = 4;
/**
 * Beyond this many waiting, a daily summary is acknowledged WITHOUT being written (shed and counted): a
 * gateway handles one PUBLISH at a time on its connection, so its next alarm would otherwise wait behind
 * its own summary in a long queue. A lost summary is a gap in a chart; a late alarm is not.
 */
const TELEMETRY_MAX_WAITING = 64;

interface TelemetryGate {
  /** Runs `fn` when a slot is free; false (and `fn` not run) when too many are already waiting. */
  run(fn: () => Promise<unknown>): Promise<boolean>;
  shed: { inc(labels: Record<string, string>): void };
}

function createGate(limit: number, maxWaiting: number, metrics: CloudMetrics): TelemetryGate {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    shed: metrics.registry.counter(
      'anju_telemetry_messages_shed_total',
      'Daily summaries acknowledged without being recorded because too many were waiting for the database',
      ['topic'],
    ),
    async run(fn) {
      if (running >= limit) {
        if (waiting.length >= maxWaiting) return false;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      running++;
      try {
        await fn();
        return true;
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
  };
}
/** One gate per cloud (its ingest service), so two clouds in one test process do not share it. */
const telemetryGates = new WeakMap<IngestService, TelemetryGate>();

/**
 * A heartbeat handed to ingest: synchronous (batched for the database), never throws. Heartbeats are
 * telemetry: losing one is harmless, holding the link for it is not.
 */
export function ingestHeartbeat(
  deps: { ingest: IngestService; metrics: CloudMetrics; log: Logger },
  gatewayId: string,
  payload: Uint8Array,
): void {
  try {
    deps.ingest.handleHeartbeat(gatewayId, payload);
  } catch (err) {
    deps.metrics.ingestErrors.inc({ topic: 'health' });
    deps.log.warn({ err, gatewayId, topic: 'health' }, 'telemetry message not recorded');
  }
}

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
    else if (kind === 'health') ingestHeartbeat(deps, gatewayId, payload);
    else {
      let gate = telemetryGates.get(deps.ingest);
      if (!gate) {
        gate = createGate(TELEMETRY_CONCURRENCY, TELEMETRY_MAX_WAITING, deps.metrics);
        telemetryGates.set(deps.ingest, gate);
      }
      const { ingest } = deps;
      const recorded = await gate.run(() => ingest.handleDaily(gatewayId, payload));
      if (!recorded) gate.shed.inc({ topic: kind ?? 'unknown' });
    }
    return null;
  } catch (err) {
    deps.metrics.ingestErrors.inc({ topic: kind ?? 'unknown' });
    if (kind === 'events') {
      deps.log.error({ err, gatewayId }, 'event not committed: withholding the acknowledgement');
      return err instanceof Error ? err : new Error(String(err));
    }
    // Daily summaries are telemetry: losing one is harmless, holding the link for it is not.
    deps.log.warn({ err, gatewayId, topic: kind }, 'telemetry message not recorded');
    return null;
  }
}
