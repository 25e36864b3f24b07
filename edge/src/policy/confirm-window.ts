import type { Clock } from '../clock.ts';
import type { Detection } from '../scoring/scorer.ts';

export interface ConfirmPolicyOptions {
  /** How long the elder has to press "I'm OK" before a fall becomes an alarm. */
  confirmWindowMs: number;
  /** A second detection within this time of a pending or raised one is the same incident. */
  dedupeMs: number;
}

export type PolicyOutcome =
  /** A fall is held for the "I'm OK" window until `untilMs`: the moment to prompt the elder on the band. */
  | { type: 'held'; detection: Detection; heldAtMs: number; untilMs: number }
  | { type: 'raised'; detection: Detection; raisedAtMs: number }
  | { type: 'cancelled'; detection: Detection; cancelledAtMs: number };

/**
 * Local policy between scorers and the outbox. A fall waits `confirmWindowMs` for the wristband's
 * "I'm OK", which cancels it; SOS skips the window. Times are on the clock given (wall or simulated).
 */
export class ConfirmPolicy {
  private pending: { detection: Detection; timer: unknown } | undefined;
  private lastIncidentAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: ConfirmPolicyOptions,
    private readonly clock: Clock,
    private readonly onOutcome: (outcome: PolicyOutcome) => void,
  ) {}

  /** A scorer's detection: held for confirmation (or raised at once for SOS). */
  detected(detection: Detection): void {
    if (detection.kind === 'sos') {
      this.onOutcome({ type: 'raised', detection, raisedAtMs: this.clock.now() });
      return;
    }
    const now = this.clock.now();
    if (this.pending || now - this.lastIncidentAtMs < this.options.dedupeMs) return;
    this.lastIncidentAtMs = now;
    const timer = this.clock.setTimeout(() => {
      const held = this.pending;
      this.pending = undefined;
      if (held) this.onOutcome({ type: 'raised', detection: held.detection, raisedAtMs: this.clock.now() });
    }, this.options.confirmWindowMs);
    this.pending = { detection, timer };
    this.onOutcome({ type: 'held', detection, heldAtMs: now, untilMs: now + this.options.confirmWindowMs });
  }

  /** The wristband's "I'm OK" button: cancels a pending alarm, if any. */
  okPressed(): boolean {
    const held = this.pending;
    if (!held) return false;
    this.clock.clearTimeout(held.timer);
    this.pending = undefined;
    this.onOutcome({ type: 'cancelled', detection: held.detection, cancelledAtMs: this.clock.now() });
    return true;
  }

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  stop(): void {
    if (this.pending) this.clock.clearTimeout(this.pending.timer);
    this.pending = undefined;
  }
}
