import type { CaseContext, CaseNotices, Queued } from '../cases/case-notices.ts';
import type { CloudConfig } from '../config/index.ts';
import { jsonParam, type Queryable } from '../db/index.ts';
import { addSeconds, deadlinesFor } from '../escalation/deadlines.ts';
import type { WorkersRepository } from '../workers/index.ts';
import { rankWorkers } from './dispatch-ranking.ts';

export type AssignResult =
  | { assigned: true; workerId: string; attempt: number; queued: Queued[] }
  | { assigned: false; reason: 'no_station' | 'nobody_on_duty' | 'everyone_asked' | 'no_home_visit' };

/**
 * Level 1 of the response: offers a case to the best on-duty worker of the resident's station who has
 * not been asked yet, inside the caller's transaction — assignment row, case columns, timeline entry,
 * the worker's text and the acknowledgement-deadline timer commit together or not at all.
 */
export function createCaseDispatcher(deps: {
  workers: WorkersRepository;
  notices: CaseNotices;
  config: Pick<CloudConfig, 'dispatch' | 'escalation' | 'timeZone'>;
}) {
  const { workers, notices, config } = deps;
  return {
    /**
     * `first`: the case's first response — nobody was asked yet (no lookup), and the case takes the
     * resident's station with the assignment. When nobody is found, nothing is written: the caller does.
     */
    async assignNext(tx: Queryable, c: CaseContext, now: Date, first = false): Promise<AssignResult> {
      // Consent homeVisit: false — nobody is sent to the door, whatever the case (docs/consent.md).
      if (c.resident?.consent.homeVisit === false) return { assigned: false, reason: 'no_home_visit' };
      const stationId = c.resident?.stationId ?? null;
      if (!stationId) return { assigned: false, reason: 'no_station' };
      const asked = first
        ? []
        : (
            await tx.query<{ worker_id: string }>(
              'SELECT worker_id FROM case_assignments WHERE case_id = $1',
              [c.caseId],
            )
          ).rows.map((r) => r.worker_id);
      const candidates = await workers.candidates(tx, stationId);
      const ranked = rankWorkers(candidates, {
        resident: { lat: c.resident?.lat ?? null, lon: c.resident?.lon ?? null },
        requiredSkill: config.dispatch.skillsByKind[c.kind],
        exclude: new Set(asked),
        at: now,
        timeZone: config.timeZone,
        loadPenaltyKm: config.dispatch.loadPenaltyKm,
      });
      const best = ranked[0];
      const worker = best && candidates.find((w) => w.id === best.id);
      if (!best || !worker) {
        return { assigned: false, reason: asked.length > 0 ? 'everyone_asked' : 'nobody_on_duty' };
      }
      const attempt = asked.length + 1;
      const deadline = addSeconds(now, deadlinesFor(config.escalation.deadlines, c.kind, c.severity).ackS);
      const detail = {
        workerId: worker.id,
        attempt,
        actor: { type: 'system', id: 'dispatch' },
        distanceKm: best.distanceKm === null ? null : Math.round(best.distanceKm * 100) / 100,
        load: best.load,
        hasSkill: best.hasSkill,
        ackDeadlineAt: deadline.toISOString(),
      };
      // The assignment, its timeline entry, the acknowledgement-deadline timer (idempotent like
      // timers.create) and the case's columns — at least level 1, and the station on a first response — in
      // one statement: every opened case runs it, so round trips count.
      await tx.query(
        `WITH a AS (
           INSERT INTO case_assignments (case_id, attempt, worker_id, assigned_at) VALUES ($1, $3, $4, $2)
         ), t AS (
           INSERT INTO case_timeline (case_id, type, detail, at) VALUES ($1, 'assigned', $6::jsonb, $2)
         ), d AS (
           INSERT INTO timers (case_id, kind, attempt, due_at) VALUES ($1, 'ack_deadline', $3, $7)
           ON CONFLICT (case_id, kind, attempt) DO NOTHING
         )
         UPDATE cases SET status = 'assigned', assignee_id = $4, assignee = $5, ack_deadline_at = $7,
           updated_at = $2,
           level = coalesce(level, 1),
           station_id = coalesce($8::text, station_id),
           station = CASE WHEN $8::text IS NULL THEN station ELSE (SELECT name FROM stations WHERE id = $8) END
         WHERE id = $1`,
        [
          c.caseId,
          now,
          attempt,
          worker.id,
          worker.name,
          jsonParam(detail),
          deadline,
          first ? stationId : null,
        ],
      );
      return { assigned: true, workerId: worker.id, attempt, queued: [await notices.worker(tx, c, worker)] };
    },
  };
}

export type CaseDispatcher = ReturnType<typeof createCaseDispatcher>;
