import type { AlertEvent } from '../../../contracts/src/index.ts';

export interface StoredEvent {
  /** Position in the outbox: delivery order. */
  seq: number;
  event: AlertEvent;
}

/** Store-and-forward queue between the gateway's policy and its forwarder. */
export interface OutboxStore {
  /** Resolves once the event is durable: only then does it count as raised. */
  append(event: AlertEvent): Promise<StoredEvent>;
  /** The oldest entries, in order. */
  peek(limit: number): readonly StoredEvent[];
  /** Removes delivered entries (after the broker's PUBACK). */
  ack(seq: number): Promise<void>;
  size(): number;
  /** Wakes a waiter when something is appended. */
  onAppend(listener: () => void): () => void;
  /**
   * The forwarder names the entries it has on the wire: the store must not drop those to make room
   * (the cloud may be storing one right now, and it would then count as both dropped and delivered).
   */
  guardInFlight?(isInFlight: (seq: number) => boolean): void;
}
