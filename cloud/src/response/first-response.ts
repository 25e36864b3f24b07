import type { CasesRepository } from '../cases/index.ts';
import { appendTimeline } from '../cases/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import { type Queued, sendable } from '../notify/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import { loadCaseContext } from './case-context.ts';
import type { CaseNotices } from './case-notices.ts';
import type { WorkerChooser } from './choose-worker.ts';

/**
 * The first response (level 1) to a case that has just opened, in its own transaction after the case
 * committed: the best on-duty worker of the resident's station (choose-worker.ts), or — with no station,
 * nobody on duty, or no home visits — the guardians (and the duty desk) at once; a technical alarm goes
 * to the duty desk. Writing level 1 is what marks the case responded to, so this runs once per case
 * whoever calls it.
 */
export function createFirstResponse(deps: {
  db: Db;
  cases: CasesRepository;
  residents: ResidentsRepository;
  notices: CaseNotices;
  chooser: WorkerChooser;
  clock: Clock;
  log: Logger;
}) {
  const { db, cases, notices, chooser, clock } = deps;

  /**
   * Level 1 of a case that has just opened (its own transaction, after the case committed): the best
   * on-duty worker of the resident's station, or — when the resident has no station or nobody is on duty —
   * the guardians at once, as before issue 4 (the timeline says why). Writing level 1 is what marks the
   * case responded to, so this runs once per case whoever calls it (ingest right after the commit, the
   * overdue-responses job for a case a dead process left): the case row is taken with SKIP LOCKED and re-checked.
   */
  async function respondIn(tx: Queryable, caseId: string, now: Date): Promise<Queued[] | undefined> {
    const c = await cases.lockAwaitingResponse(tx, caseId);
    if (!c) return undefined;
    const ctx = await loadCaseContext(tx, deps, c, c.occurredAt);
    const stationId = ctx.resident?.stationId ?? null;
    if (c.kind === 'device_health') return respondToFault(tx, ctx, stationId, now);
    const assigned = await chooser.assignNext(tx, ctx, now, true);
    if (assigned.assigned) return assigned.queued;
    await cases.update(
      tx,
      caseId,
      { level: 1, station_id: stationId },
      now,
      stationId === null ? {} : { stationNameOf: stationId },
    );
    if (assigned.reason === 'no_home_visit') {
      // Consent: nobody goes to the door; the guardians and the duty desk are called instead.
      await appendTimeline(
        tx,
        caseId,
        'no_home_visit',
        {
          reason: 'the resident declined home visits (consent homeVisit: false)',
          instead: ['guardians', 'duty_desk'],
        },
        now,
      );
      return [
        ...(await notices.guardians(tx, ctx, 'alert', now)),
        ...(await notices.dutyDeskNotice(tx, ctx, 'no_visit')),
      ];
    }
    if (assigned.reason !== 'no_station') {
      await appendTimeline(tx, caseId, 'dispatch_unavailable', { reason: assigned.reason }, now);
    }
    return notices.guardians(tx, ctx, 'alert', now);
  }

  /**
   * Level 1 of a technical alarm (device_health): the duty desk, never a guardian (a flat battery is no
   * reason to wake a family at 3 a.m.); a worker or the installer only if the desk has not taken it by
   * the level-2 deadline (escalate.ts).
   */
  async function respondToFault(
    tx: Queryable,
    ctx: Awaited<ReturnType<typeof loadCaseContext>>,
    stationId: string | null,
    now: Date,
  ): Promise<Queued[]> {
    await cases.update(
      tx,
      ctx.caseId,
      { level: 1, station_id: stationId },
      now,
      stationId === null ? {} : { stationNameOf: stationId },
    );
    const fault = await cases.firstFault(tx, ctx.caseId);
    const queued = await notices.dutyDeskNotice(tx, ctx, 'device_fault', fault);
    await appendTimeline(
      tx,
      ctx.caseId,
      'routed',
      {
        to: 'duty_desk',
        reason: 'technical alarm: the duty desk first, a worker after the deadline, never a guardian',
        fault,
        deskTold: queued.length > 0,
      },
      now,
    );
    return queued;
  }

  return {
    /**
     * Responds to a case that has just opened (see respondIn): the texts to send after the commit, or
     * undefined when the case was not waiting for its response (any more).
     */
    async run(caseId: string): Promise<string[] | undefined> {
      const queued = await db.transaction((tx) => respondIn(tx, caseId, clock.now()));
      return queued && sendable(queued);
    },

    /**
     * Responds to cases left waiting longer than `graceMs` — opened by a process that died before its
     * response, or whose response failed — one transaction each. Returns the texts to send.
     */
    async runOverdue(graceMs: number, max = 100): Promise<string[]> {
      const ids = await cases.awaitingResponse(new Date(clock.now().getTime() - graceMs), max);
      const texts: string[] = [];
      for (const id of ids) {
        const sent = await this.run(id);
        if (!sent) continue;
        deps.log.child({ caseId: id }).warn({ graceMs }, 'case left waiting for its response: responded now');
        texts.push(...sent);
      }
      return texts;
    },
  };
}

export type FirstResponse = ReturnType<typeof createFirstResponse>;
