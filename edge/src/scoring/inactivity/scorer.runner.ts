import type { Clock } from '../../clock.ts';
import type { Detection } from '../scorer.ts';
import type { ActivityObservation } from './observation.ts';

export interface ScorerRunnerOptions {
  /** Look at the silence at least this often even when nothing is due (default 5 min), against drift. */
  maxTickMs?: number;
}

/**
 * Drives a scorer (inactivity or meter safety) from a Clock: observations go in as they come, and a
 * timer wakes the scorer when its next threshold falls due. The same code runs on the system clock in
 * the gateway and on a ManualClock in the evaluation.
 */
export interface ClockDrivenScorer {
  observe(obs: ActivityObservation): Detection[];
  tick(nowMs: number): Detection[];
  nextCheckAtMs(nowMs: number): number | undefined;
}

export class ScorerRunner {
  private timer: unknown;
  private stopped = false;
  private readonly maxTickMs: number;

  constructor(
    private readonly scorer: ClockDrivenScorer,
    private readonly clock: Clock,
    private readonly onDetection: (d: Detection) => void,
    options: ScorerRunnerOptions = {},
  ) {
    this.maxTickMs = options.maxTickMs ?? 5 * 60_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  observe(obs: ActivityObservation): void {
    for (const d of this.scorer.observe(obs)) this.onDetection(d);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const now = this.clock.now();
    const due = this.scorer.nextCheckAtMs(now);
    // A due time already past (the scorer had nothing to say then) must not spin: look again in 1 s.
    const at = Math.min(
      due === undefined ? Number.POSITIVE_INFINITY : Math.max(due, now + 1000),
      now + this.maxTickMs,
    );
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - now));
  }

  private fire(): void {
    this.timer = undefined;
    for (const d of this.scorer.tick(this.clock.now())) this.onDetection(d);
    this.schedule();
  }
}
