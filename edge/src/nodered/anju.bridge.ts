import type { BusHandler } from '../bus/local-broker.ts';
import type { Logger } from '../log/logger.ts';
import { type AnjuOutRequest, parseAnjuOutPayload } from './anju-out.request.ts';

/** The part of the local broker Node-RED needs (LocalBus satisfies it). */
export interface BusPort {
  publish(topic: string, payload: unknown): void;
  subscribe(pattern: string, handler: BusHandler): () => void;
}

/** Raises through the gateway's outbox (`createRaiseEvent`): an `anju out` request is a RaiseRequest. */
export type RaiseFn = (request: AnjuOutRequest) => Promise<{ eventId: string }>;

/**
 * What the CommonJS nodes in flows/nodes/anju call: the runtime hands it to them as
 * `RED.settings.anjuBridge` (settings are not visible to function nodes or the editor). All checks live
 * here, in TypeScript; the node files stay thin.
 */
export interface AnjuBridge {
  /** `anju in`: subscribe in-process to the local broker; returns the unsubscribe function. */
  subscribe(filter: string, handler: BusHandler): () => void;
  /** `anju publish`: a command or state message on the local broker (never an event: see `raise`). */
  publish(topic: string, payload: unknown): void;
  /** `anju out`: validate a flow's payload and raise it through the outbox. Rejects with AnjuOutInvalidError. */
  raise(
    payload: unknown,
    origin: { nodeId: string; nodeName?: string | undefined },
  ): Promise<{ eventId: string }>;
}

export class AnjuTopicError extends Error {
  readonly code = 'EDGE_NODERED_BAD_TOPIC';
}

const LEVEL = /^[A-Za-z0-9_.-]+$/;
const MAX_LEVELS = 8;

/** `home/...` filters; `+` and a trailing `#` allowed. */
export function checkFilter(filter: unknown): asserts filter is string {
  if (typeof filter !== 'string') throw new AnjuTopicError('the topic filter must be a string');
  const levels = filter.split('/');
  const ok =
    levels[0] === 'home' &&
    levels.length >= 2 &&
    levels.length <= MAX_LEVELS &&
    levels.every((l, i) => LEVEL.test(l) || l === '+' || (l === '#' && i === levels.length - 1));
  if (!ok) throw new AnjuTopicError(`"${filter}" is not a home/... topic filter`);
}

/** `home/...` concrete topics; `home/agent/events` is reserved to the agent (events go through `raise`). */
export function checkPublishTopic(topic: unknown, eventsTopic: string): asserts topic is string {
  if (typeof topic !== 'string') throw new AnjuTopicError('no topic: set one on the node or in msg.topic');
  const levels = topic.split('/');
  if (
    levels[0] !== 'home' ||
    levels.length < 2 ||
    levels.length > MAX_LEVELS ||
    !levels.every((l) => LEVEL.test(l))
  )
    throw new AnjuTopicError(`"${topic}" is not a home/... topic`);
  if (topic === eventsTopic)
    throw new AnjuTopicError(`"${topic}" carries the agent's events: raise events with the anju out node`);
}

export function createAnjuBridge(deps: {
  bus: BusPort;
  raise: RaiseFn;
  eventsTopic: string;
  now: () => number;
  log: Logger;
}): AnjuBridge {
  return {
    subscribe(filter, handler) {
      checkFilter(filter);
      return deps.bus.subscribe(filter, handler);
    },
    publish(topic, payload) {
      checkPublishTopic(topic, deps.eventsTopic);
      deps.bus.publish(topic, payload);
    },
    async raise(payload, origin) {
      const request = parseAnjuOutPayload(payload, { nowMs: deps.now(), nodeName: origin.nodeName });
      const { eventId } = await deps.raise(request);
      deps.log.info({ eventId, kind: request.kind, nodeId: origin.nodeId }, 'flow raised an event');
      return { eventId };
    },
  };
}
