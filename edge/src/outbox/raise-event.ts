import type { AlertEvent } from '../../../contracts/src/index.ts';
import { EVENT_SCHEMA_VERSION, homeTopics, newEventId } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import type { OutboxStore } from '../outbox/store.ts';
import type { BusPort, RaiseFn } from './anju.bridge.ts';
import type { AnjuOutRequest } from './anju-out.request.ts';

/**
 * A `raise` for `startNodeRed` that does what the gateway's own raise does: build the AlertEvent, append it
 * to the durable outbox (resolves once it is on disk), then tell local listeners on `home/agent/events`.
 * The gateway may pass its own instead; this one keeps the tests on the real outbox.
 */
export function createOutboxRaise(deps: {
  outbox: Pick<OutboxStore, 'append' | 'size'>;
  bus: Pick<BusPort, 'publish'>;
  gatewayId: string;
  residentId: string;
  now: () => number;
  log: Logger;
}): RaiseFn {
  return async (r: AnjuOutRequest) => {
    const raisedAtMs = deps.now();
    const event: AlertEvent = {
      schema: EVENT_SCHEMA_VERSION,
      id: newEventId(raisedAtMs),
      gatewayId: deps.gatewayId,
      residentId: deps.residentId,
      kind: r.kind,
      severity: r.severity,
      occurredAt: new Date(r.occurredAtMs).toISOString(),
      detectedAt: new Date(raisedAtMs).toISOString(),
      evidence: r.evidence,
    };
    await deps.outbox.append(event);
    deps.log.info(
      { eventId: event.id, kind: event.kind, outboxDepth: deps.outbox.size() },
      'event raised (on disk)',
    );
    deps.bus.publish(homeTopics.events, event);
    return { eventId: event.id };
  };
}
