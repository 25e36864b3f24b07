import type { Command } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import type { RaiseEvent } from '../outbox/raise-event.ts';
import { agentTopics } from './agent-status.ts';

export type TestHop =
  | { hop: 'raised'; eventId: string; atMs: number }
  | { hop: 'delivered'; eventId: string; atMs: number; publishMs: number }
  | { hop: 'acknowledged'; eventId: string; atMs: number; caseId: string }
  | { hop: 'failed'; atMs: number; error: string };

/**
 * `anju-gw test` on the agent's side: a request on `home/agent/test_request` raises a synthetic event
 * (`test: true`) through the real outbox; each hop it passes is published on `home/agent/test/<requestId>`.
 */
export function handleTestRequests(o: {
  bus: {
    publish(topic: string, payload: unknown): void;
    subscribe(pattern: string, handler: (topic: string, payload: unknown) => void): () => void;
  };
  raise: RaiseEvent;
  now: () => number;
  log: Logger;
}): { delivered(eventId: string, publishMs: number): void; command(cmd: Command): void; stop(): void } {
  /** eventId → requestId, for events still in flight (a handful at most). */
  const pending = new Map<string, string>();
  const hop = (requestId: string, h: TestHop) => o.bus.publish(agentTopics.testHops(requestId), h);
  const off = o.bus.subscribe(agentTopics.testRequest, (_topic, payload) => {
    const requestId = (payload as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(requestId)) {
      o.log.warn('test request without a valid requestId ignored');
      return;
    }
    const atMs = o.now();
    o.raise({
      kind: 'device_health',
      severity: 'info',
      occurredAtMs: atMs,
      evidence: { source: 'anju-gw test' },
      test: true,
    }).then(
      ({ eventId }) => {
        pending.set(eventId, requestId);
        if (pending.size > 100) pending.delete(pending.keys().next().value!);
        o.log.info({ eventId, requestId }, 'test event raised');
        hop(requestId, { hop: 'raised', eventId, atMs: o.now() });
      },
      (err: unknown) => hop(requestId, { hop: 'failed', atMs: o.now(), error: (err as Error).message }),
    );
  });
  return {
    delivered(eventId, publishMs) {
      const requestId = pending.get(eventId);
      if (requestId) hop(requestId, { hop: 'delivered', eventId, atMs: o.now(), publishMs });
    },
    command(cmd) {
      if (cmd.type !== 'ack') return;
      const requestId = pending.get(cmd.eventId);
      if (!requestId) return;
      pending.delete(cmd.eventId);
      hop(requestId, { hop: 'acknowledged', eventId: cmd.eventId, atMs: o.now(), caseId: cmd.caseId });
    },
    stop: off,
  };
}
