import type { ModelInfo } from '../../../contracts/src/index.ts';
import type { AccelSample, Detection, Scorer } from './scorer.ts';

/** Samples kept to warm a new scorer: 12 s at the band's 50 Hz, more than any model's window + merge span. */
const DEFAULT_HISTORY_SAMPLES = 600;

/**
 * A scorer whose model can be replaced while samples flow, without a restart and without losing a window.
 *
 * The pipeline calls `push()` synchronously for each sample, so replacing the inner scorer between two
 * calls is atomic. To lose nothing, the swap waits until the live scorer has no decision pending (no
 * candidate impact whose window is still filling: every window it opened has been scored), then feeds the
 * new scorer the recent samples it keeps (so its next window has its full pre-impact context) with the
 * new scorer's answers to them discarded — those windows were already decided by the old model — and only
 * then makes it live and disposes the old one.
 */
export class SwappableScorer implements Scorer {
  readonly id: string;
  private live: Scorer;
  private next: { scorer: Scorer; done: (old: ModelInfo) => void } | undefined;
  private readonly history: AccelSample[] = [];

  constructor(
    initial: Scorer,
    private readonly historySamples = DEFAULT_HISTORY_SAMPLES,
  ) {
    this.live = initial;
    this.id = initial.id;
  }

  get model(): ModelInfo {
    return this.live.model;
  }

  /** The scorer currently answering (for tests and the model updater's rollback). */
  get current(): Scorer {
    return this.live;
  }

  push(sample: AccelSample): Detection | undefined {
    const detection = this.live.push(sample);
    this.history.push(sample);
    if (this.history.length > this.historySamples) this.history.shift();
    if (this.next && !this.live.pending?.()) this.swapNow();
    return detection;
  }

  reset(): void {
    this.live.reset();
    this.history.length = 0;
    if (this.next) this.swapNow();
  }

  pending(): boolean {
    return this.live.pending?.() ?? false;
  }

  /**
   * Makes `scorer` live at the first moment nothing is pending (at once when the live scorer is idle) and
   * disposes the one it replaces. Resolves with the model that was replaced. A swap asked for while
   * another waits replaces the waiting one (which is disposed, never made live).
   */
  swap(scorer: Scorer): Promise<ModelInfo> {
    if (this.next) {
      this.next.scorer.dispose?.();
      this.next.done(this.live.model);
    }
    return new Promise((resolve) => {
      this.next = { scorer, done: resolve };
      if (!this.live.pending?.()) this.swapNow();
    });
  }

  dispose(): void {
    this.next?.scorer.dispose?.();
    this.next = undefined;
    this.live.dispose?.();
  }

  private swapNow(): void {
    const { scorer, done } = this.next!;
    this.next = undefined;
    scorer.reset();
    for (const s of this.history) scorer.push(s); // warm-up: answers discarded (already decided)
    const old = this.live;
    this.live = scorer;
    old.dispose?.();
    done(old.model);
  }
}
