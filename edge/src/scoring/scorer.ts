import type { EventKind, Evidence, ModelInfo, Score, Severity } from '../../../contracts/src/index.ts';

/** One accelerometer sample on the band's clock, in g (gravity included, ~1 g at rest). */
export interface AccelSample {
  tMs: number;
  x: number;
  y: number;
  z: number;
}

/** The wristband samples its accelerometer at this rate; recordings at other rates are resampled to it. */
export const BAND_RATE_HZ = 50;

/** What a scorer decided happened: the input of the local policy, not yet an event. */
export interface Detection {
  kind: EventKind;
  severity: Severity;
  /** When it happened, on the band's clock (for a fall: the impact). */
  occurredAtMs: number;
  /** When the scorer decided, on the band's clock. */
  decidedAtMs: number;
  score: Score;
  evidence: Evidence;
}

/**
 * A streaming scorer: it owns its windowing, sees every sample once and in order, and answers with a
 * detection when it has made up its mind. Pure with respect to I/O so the evaluation replays the same path.
 */
export interface Scorer {
  readonly id: string;
  readonly model: ModelInfo;
  push(sample: AccelSample): Detection | undefined;
  /** Forget the window (for a new recording, or after the band reconnects with a gap). */
  reset(): void;
  /**
   * True while a decision is still to come for samples already pushed (a candidate window is open). A
   * scorer without the method is treated as never pending. The model-update swap waits for false.
   */
  pending?(): boolean;
  /** Release model memory. */
  dispose?(): void;
}

export interface ScorerOptions {
  /** Score threshold override; each scorer has its own default. */
  threshold?: number;
  /** Folder of the model files, for model-backed scorers. */
  modelDir?: string;
  /** Where a scorer reports how it loaded (backend, model version). */
  log?: (msg: string) => void;
}

export type ScorerFactory = (options: ScorerOptions) => Promise<Scorer>;
