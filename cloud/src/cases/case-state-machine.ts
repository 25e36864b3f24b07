import type { Actor, ActorType, CaseState } from '../core/case-states.ts';

/**
 * The case lifecycle (issue 4), the one definition of which state may follow which, and who may make
 * the move:
 *
 *   open → assigned → acknowledged → en_route → on_site → resolved → closed
 *   any active state → cancelled | false_alarm
 *
 * `open` may also go straight to `acknowledged` (the duty desk or a guardian takes it before a worker is
 * found; this is the pre-issue-4 `POST /cases/:id/ack`), and `assigned` back to `assigned` (dispatch
 * moves it to the next worker).
 */
export {
  type Actor,
  type ActorType,
  CASE_STATES,
  type CaseState,
  isActive,
  TERMINAL_STATES,
} from '../core/case-states.ts';

/** States a person may ask for through the API; `assigned` is only reached through dispatch. */
export type TargetState = Exclude<CaseState, 'open'>;

const EDGES: Readonly<Record<CaseState, readonly CaseState[]>> = {
  open: ['assigned', 'acknowledged', 'cancelled', 'false_alarm'],
  assigned: ['assigned', 'acknowledged', 'cancelled', 'false_alarm'],
  acknowledged: ['en_route', 'on_site', 'resolved', 'cancelled', 'false_alarm'],
  en_route: ['on_site', 'resolved', 'cancelled', 'false_alarm'],
  on_site: ['resolved', 'false_alarm'],
  resolved: ['closed'],
  closed: [],
  cancelled: [],
  false_alarm: [],
};

/** Which actors may move a case INTO a state. The assigned worker check is done by the service. */
const ALLOWED_ACTORS: Readonly<Record<TargetState, readonly ActorType[]>> = {
  assigned: ['system', 'duty_desk'],
  acknowledged: ['worker', 'duty_desk', 'guardian'],
  en_route: ['worker', 'duty_desk'],
  on_site: ['worker', 'duty_desk'],
  resolved: ['worker', 'duty_desk'],
  closed: ['duty_desk', 'system'],
  cancelled: ['duty_desk', 'guardian'],
  false_alarm: ['worker', 'duty_desk'],
};

export type TransitionCheck =
  | { ok: true }
  | { ok: false; code: 'CLOUD_CASE_TRANSITION_ILLEGAL' | 'CLOUD_CASE_ACTOR_NOT_ALLOWED'; message: string };

/** Whether `actor` may move a case from `from` to `to` (pure; the service adds the assignee check). */
export function checkTransition(from: CaseState, to: TargetState, actor: Actor): TransitionCheck {
  if (!EDGES[from].includes(to)) {
    const next = EDGES[from].filter((s) => s !== 'assigned');
    return {
      ok: false,
      code: 'CLOUD_CASE_TRANSITION_ILLEGAL',
      message: `a case that is ${from} cannot become ${to}${next.length ? ` (next: ${next.join(', ')})` : ' (it is finished)'}`,
    };
  }
  if (!ALLOWED_ACTORS[to].includes(actor.type)) {
    return {
      ok: false,
      code: 'CLOUD_CASE_ACTOR_NOT_ALLOWED',
      message: `a ${actor.type} cannot make a case ${to} (allowed: ${ALLOWED_ACTORS[to].join(', ')})`,
    };
  }
  return { ok: true };
}

/** States from which escalation still runs: nobody has taken the case yet. */
export const AWAITING_ACK: readonly CaseState[] = ['open', 'assigned'];
