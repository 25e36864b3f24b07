// The case states and who moves cases, shared by every part of the cloud (auth checks actors, the console
// lists active cases, cases owns the transitions between them: case-state-machine.ts).

export const CASE_STATES = [
  'open',
  'assigned',
  'acknowledged',
  'en_route',
  'on_site',
  'resolved',
  'closed',
  'cancelled',
  'false_alarm',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** A case in one of these is finished: a new event of its kind opens a new case. */
export const TERMINAL_STATES: readonly CaseState[] = ['resolved', 'closed', 'cancelled', 'false_alarm'];
export const isActive = (s: CaseState) => !TERMINAL_STATES.includes(s);

/** Who makes a transition: a named social worker, the duty desk (a person there), or the service itself. */
export type ActorType = 'worker' | 'duty_desk' | 'system' | 'guardian';
export interface Actor {
  type: ActorType;
  /** Worker id, duty-desk operator name, guardian name, or the system component. */
  id: string;
}
