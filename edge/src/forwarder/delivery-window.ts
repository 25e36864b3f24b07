import type { StoredEvent } from '../outbox/store.ts';

/** Events on the wire at once by default: enough to hide the round trip and the cloud's commit. */
export const DEFAULT_IN_FLIGHT_WINDOW = 16;

/** What the broker said about one event: taken (PUBACK 0x00), or PUBACK with a not-delivered reason. */
export type DeliveryOutcome = { delivered: true } | { delivered: false; reasonCode: number };

export interface InFlight {
  entry: StoredEvent;
  urgent: boolean;
  sentAtMs: number;
  outcome?: DeliveryOutcome;
}

/**
 * The events on the wire, oldest first: up to `limit` QoS 1 publishes in flight at once, their outcomes
 * applied strictly in send order (`settledFront`), so the outbox is only ever trimmed from the front
 * and the delivery log is in raise order whatever order the callbacks ran in.
 *
 * An urgent event travels alone: it is sent only when nothing else is in flight, and nothing is sent
 * behind it until its PUBACK. So no refusal or resend of a neighbour can put another event ahead of an
 * alarm, or the alarm ahead of an earlier event, at the cost of one round trip per alarm (alarms are few;
 * telemetry is what piles up).
 */
export class DeliveryWindow {
  private readonly slots: InFlight[] = [];

  get size(): number {
    return this.slots.length;
  }

  has(seq: number): boolean {
    return this.slots.some((s) => s.entry.seq === seq);
  }

  /**
   * Takes the next events to send from `oldestFirst` (the outbox's head) into the window and returns
   * them in order; entries already in flight are skipped.
   */
  admit(
    oldestFirst: readonly StoredEvent[],
    limit: number,
    isUrgent: (e: StoredEvent) => boolean,
    nowMs: number,
  ): StoredEvent[] {
    const admitted: StoredEvent[] = [];
    for (const entry of oldestFirst) {
      if (this.has(entry.seq)) continue;
      if (this.slots.length >= limit || this.slots.some((s) => s.urgent)) break;
      const urgent = isUrgent(entry);
      if (urgent && this.slots.length > 0) break;
      this.slots.push({ entry, urgent, sentAtMs: nowMs });
      admitted.push(entry);
      if (urgent) break;
    }
    return admitted;
  }

  /** Records the broker's answer for an event in flight; false when it is not (the window was reset). */
  settle(seq: number, outcome: DeliveryOutcome): boolean {
    const slot = this.slots.find((s) => s.entry.seq === seq);
    if (!slot) return false;
    slot.outcome = outcome;
    return true;
  }

  /** The oldest event in flight if its answer is in: the next one to apply. */
  settledFront(): (InFlight & { outcome: DeliveryOutcome }) | undefined {
    const front = this.slots[0];
    return front?.outcome ? (front as InFlight & { outcome: DeliveryOutcome }) : undefined;
  }

  /** Takes an event off the wire once its outcome is applied (no-op when the window was reset meanwhile). */
  release(seq: number): void {
    const i = this.slots.findIndex((s) => s.entry.seq === seq);
    if (i >= 0) this.slots.splice(i, 1);
  }

  /** The link is gone: every event in flight goes back to waiting (all stay in the outbox, all are resent). */
  reset(): number {
    return this.slots.splice(0).length;
  }
}
