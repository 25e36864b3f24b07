import { eventPriority, MAX_PAYLOAD_BYTES } from '../../../contracts/src/index.ts';

/**
 * A token bucket per gateway for what it publishes to the cloud. A gateway forwards one event at a
 * time and waits for its PUBACK, so the fair way to slow it down is to hold the PUBACK: `take` says how
 * long to wait for a token (the caller waits, then ingests); only a client so far ahead that the wait
 * would pass `maxWaitMs` (a flood, or many publishes pipelined) is told to go away — without a PUBACK,
 * so a real gateway sends the same event again after its backoff and nothing is lost. Urgent events are
 * never refused: they take a token if there is one and go through regardless (the bucket may go into
 * debt, which then slows the telemetry behind them).
 * Behind an external broker the PUBACK is the broker's and cannot be held: the cloud's consumer sheds
 * telemetry past `maxWaitMs` instead (external-broker.ts, shedOverRate) — same buckets, same numbers.
 */
export interface GatewayRateLimitOptions {
  /** Sustained messages per second a gateway may send. */
  ratePerS: number;
  /** Messages a gateway may send at once after a quiet spell (e.g. the first of a backlog). */
  burst: number;
  /** Longest a message is held for a token; beyond it the message is refused. */
  maxWaitMs: number;
}

export type RateDecision = { action: 'go'; waitMs: number } | { action: 'refuse'; waitMs: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

export class GatewayRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly o: GatewayRateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** `isUrgent` is asked only when the bucket is empty (it may parse the payload). */
  take(gatewayId: string, isUrgent: () => boolean): RateDecision {
    const now = this.now();
    const b = this.buckets.get(gatewayId) ?? { tokens: this.o.burst, atMs: now };
    b.tokens = Math.min(this.o.burst, b.tokens + ((now - b.atMs) / 1000) * this.o.ratePerS);
    b.atMs = now;
    this.buckets.set(gatewayId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { action: 'go', waitMs: 0 };
    }
    if (isUrgent()) {
      // Debt bounded to one burst, so a storm of alarms cannot lock telemetry out for long.
      b.tokens = Math.max(-this.o.burst, b.tokens - 1);
      return { action: 'go', waitMs: 0 };
    }
    const waitMs = Math.ceil(((1 - b.tokens) / this.o.ratePerS) * 1000);
    if (waitMs > this.o.maxWaitMs) return { action: 'refuse', waitMs };
    b.tokens -= 1; // reserved: the next one waits behind this one
    return { action: 'go', waitMs };
  }

  /** Forgets gateways idle long enough to have a full bucket again (keeps the map small). */
  sweep(): void {
    const now = this.now();
    for (const [id, b] of this.buckets)
      if (b.tokens + ((now - b.atMs) / 1000) * this.o.ratePerS >= this.o.burst) this.buckets.delete(id);
  }
}

/** Whether an event payload is urgent (contracts' eventPriority); unparseable counts as not urgent. */
export function isUrgentPayload(payload: Uint8Array): boolean {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return false;
  try {
    const e = JSON.parse(
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'),
    ) as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null) return false;
    return (
      eventPriority({
        kind: e.kind as never,
        severity: e.severity as never,
        test: e.test === true,
      }) === 'urgent'
    );
  } catch {
    return false;
  }
}
