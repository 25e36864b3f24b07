import type { AlertEvent, EventKind, Evidence, Score, Severity } from '../../../contracts/src/index.ts';
import { EVENT_SCHEMA_VERSION, eventPriority, homeTopics, newEventId } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import { type DropReason, OutboxEventDropped } from './outbox-limits.ts';
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

export type RaiseEvent = (request: RaiseRequest) => Promise<{ eventId: string; dropped?: DropReason }>;

/** How long an urgent event the disk refused waits before the next try, doubling up to the max. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * The one way an event is raised on the gateway: build the AlertEvent, append it to the durable outbox
 * (resolves once it is on disk — only then does it count as raised), then tell local listeners (Node-RED)
 * on `home/agent/events`.
 *
 * When the outbox has no room: a telemetry-class event is dropped (the outbox counted it) and the promise
 * resolves with `dropped`; an urgent event is held in memory and retried with backoff until the disk takes
 * it — logged at error each time and reported by `unwritable()` (status and heartbeat) — never dropped.
 */
export function createRaiseEvent(deps: {
  outbox: Pick<OutboxStore, 'append' | 'size'>;
  bus: { publish(topic: string, payload: unknown): void };
  gatewayId: string;
  residentId: string;
  now: () => number;
  log: Logger;
  /** Waits between retries of an unwritable urgent event (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}): RaiseEvent & { unwritable(): number } {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let unwritable = 0;
  const raise = async (r: RaiseRequest) => {
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
    for (let waitMs = RETRY_MIN_MS, held = false; ; waitMs = Math.min(RETRY_MAX_MS, waitMs * 2)) {
      try {
        await deps.outbox.append(event);
        if (held) {
          unwritable--;
          deps.log.warn({ eventId: event.id, kind: event.kind }, 'urgent event finally written');
        }
        break;
      } catch (err) {
        if (err instanceof OutboxEventDropped) return { eventId: event.id, dropped: err.reason };
        if (eventPriority(event) !== 'urgent') throw err;
        if (!held) unwritable++;
        held = true;
        deps.log.error(
          { err, eventId: event.id, kind: event.kind, retryInMs: waitMs, unwritable },
          'urgent event could not be written to the outbox: held in memory and retried',
        );
        await sleep(waitMs);
      }
    }
    deps.log.info(
      { eventId: event.id, kind: event.kind, outboxDepth: deps.outbox.size() },
      'event raised (on disk)',
    );
    deps.bus.publish(homeTopics.events, event);
    return { eventId: event.id };
  };
  return Object.assign(raise, { unwritable: () => unwritable });
}
