/**
 * Paces telemetry-class events going up (a token bucket: `perS` sustained, `burst` at once). The cloud
 * limits each gateway's rate too, and in distributed mode it can only SHED what comes faster (Mosquitto
 * has already acknowledged it), so a gateway draining a day's backlog must stay under that limit itself —
 * the default is below the cloud's default (limits.gatewayMessagesPerS 50, gatewayBurst 200). Urgent
 * events are never paced.
 */
export class TelemetryPacer {
  private tokens: number;
  private lastMs: number | undefined;

  constructor(
    private readonly perS: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Whole events that may go now. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.tokens);
  }

  take(n: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= n;
  }

  /** How long until one more event may go (0 when one may go now). */
  msUntilNext(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perS) * 1000);
  }

  private refill(nowMs: number): void {
    if (this.lastMs !== undefined && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.perS);
    }
    this.lastMs = nowMs;
  }
}
