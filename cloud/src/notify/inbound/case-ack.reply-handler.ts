/**
 * THE glue between inbound SMS and case management — the only file in notify/ that knows how cases are
 * acknowledged. It finds the newest case still waiting for an answer that texted this phone
 * (notifications.recipient_phone + case_id) and acknowledges it through the cases service: with the
 * issue-4 state machine, `transition(id, 'acknowledged', actor)` with actor guardian (by name) or worker
 * (by id); with the older service, `acknowledge(id, by)`. Adapt here and nowhere else.
 */
import type { Queryable } from '../../db/index.ts';
import { CloudError } from '../../errors.ts';
import { caseRef as refOf } from '../guardian-alert.template.ts';
import { maskPhone } from '../notifier.ts';
import { phoneDigitsSql, phoneKeys } from './phone-match.ts';
import type { ReplyHandler } from './reply-handler.ts';

/** States in which a case no longer waits for anyone's "OK" (001's 'acknowledged' plus 003's later ones). */
const NOT_WAITING = ['acknowledged', 'en_route', 'on_site', 'resolved', 'closed', 'cancelled', 'false_alarm'];

type Actor = { type: 'guardian' | 'worker'; id: string };

/** The two shapes the cases service has had; only what this file calls. */
export interface AckCapableCases {
  acknowledge(id: string, by: string): Promise<unknown>;
  transition?(
    id: string,
    to: 'acknowledged',
    actor: Actor,
    note?: string,
  ): Promise<{ notificationIds: string[] }>;
}

export function createCaseAckReplyHandler(deps: {
  db: Queryable;
  cases: AckCapableCases;
  /** Called after an acknowledgement (tells the gateway, like the REST route does). */
  onAcknowledged?: (caseId: string) => void;
  /** Sends the texts a transition queued (e.g. "a guardian has it" to the worker), after its commit. */
  dispatch?: (notificationIds: string[]) => void;
}): ReplyHandler {
  async function actorFor(keys: string[]): Promise<Actor | undefined> {
    const hasWorkers = await deps.db.query<{ has: boolean }>(
      "SELECT to_regclass('workers') IS NOT NULL AS has",
    );
    if (hasWorkers.rows[0]?.has) {
      const w = await deps.db.query<{ id: string }>(
        `SELECT id FROM workers WHERE ${phoneDigitsSql('phone')} = ANY($1) ORDER BY created_at LIMIT 1`,
        [keys],
      );
      if (w.rows[0]) return { type: 'worker', id: w.rows[0].id };
    }
    const g = await deps.db.query<{ name: string }>(
      `SELECT name FROM guardians WHERE ${phoneDigitsSql('phone')} = ANY($1) ORDER BY created_at LIMIT 1`,
      [keys],
    );
    return g.rows[0] && { type: 'guardian', id: g.rows[0].name };
  }

  /** The newest text to this phone about a case still waiting for an answer. */
  async function newestWaiting(
    keys: readonly string[],
    caseRef: string | undefined,
  ): Promise<{ caseId: string; at: Date } | undefined> {
    const { rows } = await deps.db.query<{ case_id: string; created_at: Date }>(
      `SELECT n.case_id, n.created_at FROM notifications n JOIN cases c ON c.id = n.case_id
       WHERE ${phoneDigitsSql('n.recipient_phone')} = ANY($1)
         AND c.acknowledged_at IS NULL AND c.status <> ALL($2) AND NOT c.test
         AND ($3::text IS NULL OR upper(left(replace(c.id, '-', ''), 8)) = $3)
       ORDER BY n.created_at DESC LIMIT 1`,
      [keys, NOT_WAITING, caseRef ?? null],
    );
    const r = rows[0];
    return r && { caseId: r.case_id, at: new Date(r.created_at) };
  }

  return {
    async lastWaiting({ phoneKeys: keys, caseRef }) {
      return (await newestWaiting(keys, caseRef))?.at;
    },

    async acknowledgeByReply({ fromPhone, caseRef }) {
      const keys = phoneKeys(fromPhone);
      const caseId = (await newestWaiting(keys, caseRef))?.caseId;
      if (!caseId) return { acknowledged: false, reason: 'no case waiting for this phone' };
      const actor = await actorFor(keys);
      if (!actor) return { acknowledged: false, caseId, reason: 'sender is neither a guardian nor a worker' };
      try {
        if (deps.cases.transition) {
          const r = await deps.cases.transition(
            caseId,
            'acknowledged',
            actor,
            `SMS reply from ${maskPhone(fromPhone)}`,
          );
          if (r.notificationIds.length > 0) deps.dispatch?.(r.notificationIds);
        } else {
          await deps.cases.acknowledge(caseId, `${actor.type} ${actor.id} by SMS ${maskPhone(fromPhone)}`);
        }
      } catch (err) {
        // Acknowledged by someone else in between, or this person may not (409 codes): nothing to do.
        if (err instanceof CloudError) return { acknowledged: false, caseId, reason: err.code };
        throw err;
      }
      deps.onAcknowledged?.(caseId);
      return { acknowledged: true, caseId, caseRef: refOf(caseId) };
    },
  };
}
