import { type AssignNextWorker, addSeconds, type CasesRepository, deadlinesFor } from '../cases/index.ts';
import type { CloudConfig } from '../config/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Queued } from '../notify/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { WorkersRepository } from '../workers/index.ts';
import { loadCaseContext } from './case-context.ts';
import type { CaseContext, CaseNotices } from './case-notices.ts';
import { rankWorkers } from './worker-ranking.ts';

export type AssignResult =
  | { assigned: true; workerId: string; attempt: number; queued: Queued[] }
  | { assigned: false; reason: 'no_station' | 'nobody_on_duty' | 'everyone_asked' | 'no_home_visit' };

/**
 * Chooses the worker who goes: offers a case to the best on-duty worker of the resident's station who
 * has not been asked yet, inside the caller's transaction — assignment row, case columns, timeline entry,
 * the worker's text and the acknowledgement-deadline timer commit together or not at all (the case's
 * rows through the cases repository). Used by the first response, by escalation when a worker misses
 * the deadline, and by the duty desk asking for the next worker.
 */
export function createWorkerChooser(deps: {
  cases: CasesRepository;
  residents: ResidentsRepository;
  workers: WorkersRepository;
  notices: CaseNotices;
  config: Pick<CloudConfig, 'dispatch' | 'escalation' | 'timeZone'>;
}) {
  const { cases, workers, notices, config } = deps;
  /**
   * `first`: the case's first response — nobody was asked yet (no lookup), and the case takes the
   * resident's station with the assignment. When nobody is found, nothing is written: the caller does.
   */
  async function assignNext(tx: Queryable, c: CaseContext, now: Date, first = false): Promise<AssignResult> {
    // Consent homeVisit: false — nobody is sent to the door, whatever the case (docs/consent.md).
    if (c.resident?.consent.homeVisit === false) return { assigned: false, reason: 'no_home_visit' };
    const stationId = c.resident?.stationId ?? null;
    if (!stationId) return { assigned: false, reason: 'no_station' };
    const asked = first ? [] : await cases.askedWorkers(tx, c.caseId);
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
    const ackDeadlineAt = addSeconds(now, deadlinesFor(config.escalation.deadlines, c.kind, c.severity).ackS);
    await cases.assign(tx, {
      caseId: c.caseId,
      attempt,
      worker,
      ackDeadlineAt,
      stationId: first ? stationId : null,
      now,
      detail: {
        workerId: worker.id,
        attempt,
        actor: { type: 'system', id: 'dispatch' },
        distanceKm: best.distanceKm === null ? null : Math.round(best.distanceKm * 100) / 100,
        load: best.load,
        hasSkill: best.hasSkill,
        ackDeadlineAt: ackDeadlineAt.toISOString(),
      },
    });
    return { assigned: true, workerId: worker.id, attempt, queued: [await notices.worker(tx, c, worker)] };
  }

  return {
    assignNext,
    /** `assignNext` for a case row: the duty desk's transition to `assigned` (cases.service). */
    assignNextOf: (async (tx, c, now) =>
      assignNext(tx, await loadCaseContext(tx, deps, c), now)) satisfies AssignNextWorker,
  };
}

export type WorkerChooser = ReturnType<typeof createWorkerChooser>;
