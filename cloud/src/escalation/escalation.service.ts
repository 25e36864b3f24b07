import { loadCaseContext } from '../cases/case-context.ts';
import { type CaseNotices, type Queued, sendable } from '../cases/case-notices.ts';
import { AWAITING_ACK } from '../cases/case-state-machine.ts';
import { appendTimeline } from '../cases/case-timeline.ts';
import type { CasesRepository } from '../cases/cases.repository.ts';
import type { Clock } from '../clock.ts';
import type { CloudConfig } from '../config/index.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { CaseDispatcher } from '../dispatch/index.ts';
import type { Logger } from '../log/logger.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { StationsRepository } from '../stations/index.ts';
import { addSeconds, deadlinesFor } from './deadlines.ts';
import type { Timer, TimerOutcome, TimersRepository } from './timers.repository.ts';

export interface Firing {
  timer: Timer;
  outcome: TimerOutcome;
  notificationIds: string[];
}

/**
 * What a due timer does, in the transaction that claimed it (so the state change, the timeline entry,
 * the texts and the timer's `fired_at` commit together):
 * - `ack_deadline` n: worker n did not acknowledge → offer the case to the next worker;
 * - `level2`: nobody acknowledged since opening → level 2, the station supervisor and the guardians;
 * - `level3`: still nobody → level 3, the duty desk is told to call 120, the guardians get an urgent text.
 * A timer whose case was taken meanwhile fires as `moot` (no timeline entry, no text).
 */
export function createEscalationService(deps: {
  db: Db;
  cases: CasesRepository;
  residents: ResidentsRepository;
  stations: StationsRepository;
  timers: TimersRepository;
  notices: CaseNotices;
  dispatch: CaseDispatcher;
  config: Pick<CloudConfig, 'escalation'>;
  clock: Clock;
  log: Logger;
  /** Names this process in `timers.fired_by` and the timeline. */
  replicaId: string;
  onTimerCreated?: (dueAt: Date) => void;
}) {
  const { db, cases, residents, stations, timers, notices, dispatch, clock } = deps;

  async function fire(
    tx: Queryable,
    t: Timer,
    now: Date,
  ): Promise<{ outcome: TimerOutcome; queued: Queued[] }> {
    const c = await cases.lock(tx, t.caseId);
    if (!c || !AWAITING_ACK.includes(c.status)) return { outcome: 'moot', queued: [] };
    const ctx = await loadCaseContext(tx, residents, c);
    const by = { replica: deps.replicaId, timerId: t.id, dueAt: t.dueAt.toISOString() };

    if (t.kind === 'ack_deadline') {
      // Only the deadline of the worker who has the case now counts (an older one is moot).
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM case_assignments WHERE case_id = $1',
        [c.id],
      );
      if (Number(rows[0]?.n ?? 0) !== t.attempt) return { outcome: 'moot', queued: [] };
      await appendTimeline(
        tx,
        c.id,
        'ack_deadline_missed',
        { workerId: c.assigneeId, attempt: t.attempt, ...by },
        now,
      );
      const next = await dispatch.assignNext(tx, ctx, now);
      if (next.assigned) return { outcome: 'reassigned', queued: next.queued };
      await appendTimeline(tx, c.id, 'dispatch_unavailable', { reason: next.reason }, now);
      return { outcome: 'exhausted', queued: [] };
    }

    const level = t.kind === 'level2' ? 2 : 3;
    await cases.update(tx, c.id, { level }, now);
    await appendTimeline(tx, c.id, 'escalated', { level, ...by }, now);
    const queued: Queued[] = [];
    if (c.kind === 'device_health') {
      // A technical alarm the desk has not taken in time: a worker (or the installer) goes to look;
      // with nobody to send, the station supervisor. Never the guardians, never level 3.
      const sent = await dispatch.assignNext(tx, ctx, now);
      if (sent.assigned) return { outcome: 'escalated', queued: sent.queued };
      await appendTimeline(tx, c.id, 'dispatch_unavailable', { reason: sent.reason }, now);
      const station = c.stationId ? await stations.get(c.stationId, tx) : undefined;
      if (station) queued.push(...(await notices.supervisor(tx, ctx, station, c.assignee)));
      return { outcome: 'escalated', queued };
    }
    if (level === 2) {
      const station = c.stationId ? await stations.get(c.stationId, tx) : undefined;
      if (station) queued.push(...(await notices.supervisor(tx, ctx, station, c.assignee)));
      queued.push(...(await notices.guardians(tx, ctx, 'alert', now)));
      const level3At = addSeconds(
        now,
        deadlinesFor(deps.config.escalation.deadlines, c.kind, c.severity).level3S,
      );
      await timers.create(tx, { caseId: c.id, kind: 'level3', attempt: 1, dueAt: level3At });
      deps.onTimerCreated?.(level3At);
    } else {
      queued.push(...(await notices.dutyDesk(tx, ctx)));
      queued.push(...(await notices.guardians(tx, ctx, 'emergency', now)));
    }
    return { outcome: 'escalated', queued };
  }

  /**
   * Level 1 of a case that has just opened (its own transaction, after the case committed): the best
   * on-duty worker of the resident's station, or — when the resident has no station or nobody is on duty —
   * the guardians at once, as before issue 4 (the timeline says why). Writing level 1 is what marks the
   * case responded to, so this runs once per case whoever calls it (ingest right after the commit, the
   * poller for a case a dead process left): the case row is taken with SKIP LOCKED and re-checked.
   */
  async function respondIn(tx: Queryable, caseId: string, now: Date): Promise<Queued[] | undefined> {
    const c = await cases.lockAwaitingResponse(tx, caseId);
    if (!c) return undefined;
    const ctx = await loadCaseContext(tx, residents, c, c.occurredAt);
    const stationId = ctx.resident?.stationId ?? null;
    if (c.kind === 'device_health') return respondToFault(tx, ctx, stationId, now);
    const assigned = await dispatch.assignNext(tx, ctx, now, true);
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
   * the level-2 deadline (`fire`).
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
    const { rows } = await tx.query<{ fault: string | null }>(
      `SELECT evidence->>'fault' AS fault FROM events WHERE case_id = $1 ORDER BY occurred_at LIMIT 1`,
      [ctx.caseId],
    );
    const fault = rows[0]?.fault ?? null;
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
    async respond(caseId: string): Promise<string[] | undefined> {
      const queued = await db.transaction((tx) => respondIn(tx, caseId, clock.now()));
      return queued && sendable(queued);
    },

    /**
     * Responds to cases left waiting longer than `graceMs` — opened by a process that died before its
     * response, or whose response failed — one transaction each. Returns the texts to send.
     */
    async respondOverdue(graceMs: number, max = 100): Promise<string[]> {
      const ids = await cases.awaitingResponse(new Date(clock.now().getTime() - graceMs), max);
      const texts: string[] = [];
      for (const id of ids) {
        const sent = await this.respond(id);
        if (!sent) continue;
        deps.log.child({ caseId: id }).warn({ graceMs }, 'case left waiting for its response: responded now');
        texts.push(...sent);
      }
      return texts;
    },

    /**
     * Fires due timers one transaction each until none is due (or `max`); any replica may run this at
     * the same time: SKIP LOCKED hands each timer to one of them.
     */
    async runDue(max = 100): Promise<Firing[]> {
      const fired: Firing[] = [];
      while (fired.length < max) {
        const now = clock.now();
        const r = await db.transaction(async (tx) => {
          const t = await timers.claimDue(tx, now);
          if (!t) return undefined;
          const { outcome, queued } = await fire(tx, t, now);
          await timers.markFired(tx, t.id, deps.replicaId, outcome, now);
          return { timer: t, outcome, notificationIds: sendable(queued) };
        });
        if (!r) break;
        deps.log
          .child({ caseId: r.timer.caseId })
          .info({ timer: r.timer.kind, attempt: r.timer.attempt, outcome: r.outcome }, 'timer fired');
        fired.push(r);
      }
      return fired;
    },
  };
}

export type EscalationService = ReturnType<typeof createEscalationService>;
