import type { Queryable } from '../db/index.ts';
import type { Queued } from '../notify/pending-text.ts';
import type { Actor, CaseState, TargetState } from './case-state-machine.ts';
import type { Case } from './cases.schemas.ts';

/** A lifecycle step that has just been written (inside its transaction). */
export interface CaseTransition {
  from: CaseState;
  to: TargetState;
  actor: Actor;
  /** The case after the step. */
  case: Case;
  at: Date;
}

/**
 * What else must happen when a case changes state, in the SAME transaction as the change, so it is never
 * lost and never happens for a change that rolled back (e.g. surveys scheduled when a case is closed).
 * Returns texts to send after the commit. Registered with the cases service by the composition root.
 */
export type TransitionHook = (tx: Queryable, t: CaseTransition) => Promise<Queued[]>;
