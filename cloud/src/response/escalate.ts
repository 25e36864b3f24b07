import type { CasesRepository, Timer, TimerOutcome, TimersRepository } from '../cases/index.ts';
import { AWAITING_ACK, addSeconds, appendTimeline, deadlinesFor } from '../cases/index.ts';
import type { Clock } from '../clock.ts';
import type { CloudConfig } from '../config/index.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import { type Queued, sendable } from '../notify/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { StationsRepository } from '../stations/index.ts';
import { loadCaseContext } from './case-context.ts';
import type { CaseNotices } from './case-notices.ts';
import type { WorkerChooser } from './choose-worker.ts';

export interface Firing {
  timer: Timer;
  outcome: TimerOutcome;
  notificationIds: string[];
}

/**
 * Escalation: what a due timer does, in the transaction that claimed it (so the state change, the timeline entry,
 * the texts and the timer's `fired_at` commit together):
 * - `ack_deadline` n: worker n did not acknowledge → offer the case to the next worker;
 * - `level2`: nobody acknowledged since opening → level 2, the station supervisor and the guardians;
 * - `level3`: still nobody → level 3, the duty desk is told to call 120, the guardians get an urgent text.
 * A timer whose case was taken meanwhile fires as `moot` (no timeline entry, no text).
 */
export function createEscalation(deps: {
  db: Db;
  cases: CasesRepository;
  residents: ResidentsRepository;
  stations: StationsRepository;
  timers: TimersRepository;
  notices: CaseNotices;
  chooser: WorkerChooser;
  config: Pick<CloudConfig, 'escalation'>;
  clock: Clock;
  log: Logger;
  /** Names this process in `timers.fired_by` and the timeline. */
  replicaId: string;
  onTimerCreated?: (dueAt: Date) => void;
}) {
  const { db, cases, stations, timers, notices, chooser, clock } = deps;

  async function fire(
    tx: Queryable,
    t: Timer,
    now: Date,
  ): Promise<{ outcome: TimerOutcome; queued: Queued[] }> {
    const c = await cases.lock(tx, t.caseId);
    if (!c || !AWAITING_ACK.includes(c.status)) return { outcome: 'moot', queued: [] };
    const ctx = await loadCaseContext(tx, deps, c);
    const by = { replica: deps.replicaId, timerId: t.id, dueAt: t.dueAt.toISOString() };

    if (t.kind === 'ack_deadline') {
      // Only the deadline of the worker who has the case now counts (an older one is moot).
      if ((await cases.askedWorkers(tx, c.id)).length !== t.attempt) return { outcome: 'moot', queued: [] };
      await appendTimeline(
        tx,
        c.id,
        'ack_deadline_missed',
        { workerId: c.assigneeId, attempt: t.attempt, ...by },
        now,
      );
      const next = await chooser.assignNext(tx, ctx, now);
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
      const sent = await chooser.assignNext(tx, ctx, now);
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

  return {
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

export type Escalation = ReturnType<typeof createEscalation>;
