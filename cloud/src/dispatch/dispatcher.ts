import type { CaseContext, CaseNotices, Queued } from '../cases/case-notices.ts';
import type { CasesRepository } from '../cases/cases.repository.ts';
import type { CloudConfig } from '../config/index.ts';
import { jsonParam, type Queryable } from '../db/index.ts';
import { addSeconds, deadlinesFor } from '../escalation/deadlines.ts';
import type { TimersRepository } from '../escalation/timers.repository.ts';
import type { WorkersRepository } from '../workers/index.ts';
import { rankWorkers } from './dispatch-ranking.ts';

export type AssignResult =
  | { assigned: true; workerId: string; attempt: number; queued: Queued[] }
  | { assigned: false; reason: 'no_station' | 'nobody_on_duty' | 'everyone_asked' };

/**
 * The case has just opened (same transaction): nobody was asked yet, and when a worker is found the
 * case's level 1 and station and the level-2 timer are written with the assignment (fewer round trips
 * on the ingest path). When nobody is found, nothing of this is written: the caller does it.
 */
export interface Opening {
  stationId: string;
  level2At: Date;
}

/**
 * Level 1 of the response: offers a case to the best on-duty worker of the resident's station who has
 * not been asked yet, inside the caller's transaction — assignment row, case columns, timeline entry,
 * the worker's text and the acknowledgement-deadline timer commit together or not at all.
 */
export function createCaseDispatcher(deps: {
  cases: CasesRepository;
  workers: WorkersRepository;
  timers: TimersRepository;
  notices: CaseNotices;
  config: Pick<CloudConfig, 'dispatch' | 'escalation' | 'timeZone'>;
}) {
  const { cases, workers, timers, notices, config } = deps;
  return {
    async assignNext(tx: Queryable, c: CaseContext, now: Date, opening?: Opening): Promise<AssignResult> {
      const stationId = c.resident?.stationId ?? null;
      if (!stationId) return { assigned: false, reason: 'no_station' };
      const asked = opening
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
      // The assignment row and its 'assigned' timeline entry, in one statement.
      await tx.query(
        `WITH a AS (
           INSERT INTO case_assignments (case_id, attempt, worker_id, assigned_at) VALUES ($1, $2, $3, $4)
         )
         INSERT INTO case_timeline (case_id, type, detail, at) VALUES ($1, 'assigned', $5::jsonb, $4)`,
        [c.caseId, attempt, worker.id, now, jsonParam(detail)],
      );
      await cases.update(
        tx,
        c.caseId,
        {
          status: 'assigned',
          assignee_id: worker.id,
          assignee: worker.name,
          ack_deadline_at: deadline,
          ...(opening ? { level: 1, station_id: opening.stationId } : {}),
        },
        now,
        opening ? { stationNameOf: opening.stationId } : {},
      );
      await timers.createMany(tx, [
        { caseId: c.caseId, kind: 'ack_deadline', attempt, dueAt: deadline },
        ...(opening
          ? [{ caseId: c.caseId, kind: 'level2' as const, attempt: 1, dueAt: opening.level2At }]
          : []),
      ]);
      return { assigned: true, workerId: worker.id, attempt, queued: [await notices.worker(tx, c, worker)] };
    },
  };
}

export type CaseDispatcher = ReturnType<typeof createCaseDispatcher>;
