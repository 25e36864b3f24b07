import type { Actor, ActorType } from '../core/case-states.ts';
import { UserError } from '../errors.ts';
import type { Principal, Role } from './principal.ts';

/** The actor a role moves cases as. Supervisors act as the duty desk; admins may name any actor. */
const ACTOR_OF_ROLE: Readonly<Record<Exclude<Role, 'admin'>, ActorType>> = {
  desk: 'duty_desk',
  supervisor: 'duty_desk',
  worker: 'worker',
  guardian: 'guardian',
};

/**
 * A person moves a case only as themselves: the body's actor must be their role's actor type with their
 * token's sub as id (a worker's sub is their worker id). 403 CLOUD_AUTH_ACTOR_MISMATCH otherwise.
 */
export function assertActsAsSelf(p: Principal, actor: Pick<Actor, 'type' | 'id'>): void {
  if (p.role === 'admin') return;
  const type = ACTOR_OF_ROLE[p.role];
  if (actor.type !== type || actor.id !== p.sub) {
    throw new UserError(
      'CLOUD_AUTH_ACTOR_MISMATCH',
      `a ${p.role} token acts as { type: ${type}, id: ${p.sub} }, not as ${actor.type} ${actor.id}`,
      403,
    );
  }
}
