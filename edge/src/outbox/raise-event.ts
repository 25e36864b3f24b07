import type { AlertEvent, EventKind, Evidence, Score, Severity } from '../../../contracts/src/index.ts';
import { EVENT_SCHEMA_VERSION, homeTopics, newEventId } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import type { OutboxStore } from './store.ts';

/** What any part of the gateway (scorers, policy, Node-RED's `anju out`) asks to raise. */
export interface RaiseRequest {
  kind: EventKind;
  severity: Severity;
  /** When it happened, wall clock ms (for a fall: the impact). */
  occurredAtMs: number;
  evidence: Evidence;
  score?: Score;
  /** A synthetic event (`anju-gw test`): the cloud stores it as a test case and notifies nobody. */
  test?: boolean;
}

export type RaiseEvent = (request: RaiseRequest) => Promise<{ eventId: string }>;

/**
 * The one way an event is raised on the gateway: build the AlertEvent, append it to the durable outbox
 * (resolves once it is on disk — only then does it count as raised), then tell local listeners (Node-RED)
 * on `home/agent/events`.
 */
export function createRaiseEvent(deps: {
  outbox: Pick<OutboxStore, 'append' | 'size'>;
  bus: { publish(topic: string, payload: unknown): void };
  gatewayId: string;
  residentId: string;
  now: () => number;
  log: Logger;
}): RaiseEvent {
  return async (r) => {
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
      ...(r.score ? { score: r.score } : {}),
      evidence: r.evidence,
      ...(r.test ? { test: true } : {}),
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
