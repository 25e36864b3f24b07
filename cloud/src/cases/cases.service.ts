import { randomUUID } from 'node:crypto';
import type { AlertEvent } from '../../../contracts/src/index.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { Db, Queryable } from '../db/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import { type Queued, sendable } from '../notify/pending-text.ts';
import { noTelemetry, type Telemetry } from '../telemetry/index.ts';
import type { WorkersRepository } from '../workers/index.ts';
import { addSeconds, type DeadlinesTable, deadlinesFor } from './case-deadlines.ts';
import { type Actor, AWAITING_ACK, checkTransition, type TargetState } from './case-state-machine.ts';
import { appendTimeline } from './case-timeline.ts';
import type { TimersRepository } from './case-timers.repository.ts';
import type { CasesRepository } from './cases.repository.ts';
import type { Case } from './cases.schemas.ts';
import { faultKeyOf, isClearedFault } from './fault-key.ts';
import type { TransitionHook } from './transition-hooks.ts';

export type RecordOutcome =
  | { status: 'stored'; caseId: string; opened: boolean }
  | { status: 'duplicate' }
  /** a `cleared` device fault: its active case (if any) is closed, `caseId` null when there was none */
  | { status: 'cleared'; caseId: string | null };

/** How an event is recorded: `quiet` = no telemetry (a resident who refused data processing). */
export interface RecordOptions {
  quiet?: boolean;
}

/** Runs last inside a transition's transaction (the audit entry of the request that asked for it). */
export type InTransaction = (tx: Queryable) => Promise<void>;

/**
 * Offers a case to the next worker inside the caller's transaction (response/choose-worker.ts: the duty
 * desk asks for it with a transition to `assigned`); the texts to send after the commit, or why nobody.
 */
export type AssignNextWorker = (
  tx: Queryable,
  c: Case,
  now: Date,
) => Promise<{ assigned: true; queued: Queued[] } | { assigned: false; reason: string }>;

/** Timestamp columns a transition sets, by the state entered. */
const STAMP: Partial<Record<TargetState, string>> = {
  acknowledged: 'acknowledged_at',
  en_route: 'en_route_at',
  on_site: 'on_site_at',
  resolved: 'resolved_at',
  closed: 'closed_at',
  cancelled: 'closed_at',
  false_alarm: 'closed_at',
};

/**
 * Correlates alert events into cases (one ACTIVE case per resident and kind; later events append) and
 * moves cases through their lifecycle (case-state-machine.ts). A real case commits with its event, its
 * 'opened' entry and its level-2 timer — before the gateway's PUBACK, so that path stays short; level 1
 * (a worker of the resident's station, or the guardians at once when there is none) is the response,
 * right after the commit (response/first-response.ts). Texts are rows written 'pending' and sent after
 * the commit that wrote them (notify/notification.sender.ts).
 */
export function createCasesService(deps: {
  db: Db;
  cases: CasesRepository;
  workers: WorkersRepository;
  timers: TimersRepository;
  assignNextWorker: AssignNextWorker;
  metrics: CloudMetrics;
  config: { escalation: { deadlines: DeadlinesTable } };
  clock?: Clock;
  /** Told about committed events and case state changes; off by default. */
  telemetry?: Telemetry;
  /** A timer was created by this process: wake the job runner so it can sleep until it is due. */
  onTimerCreated?: (dueAt: Date) => void;
  /** Run inside each transition's transaction, after it is written (surveys on closing). */
  transitionHooks?: readonly TransitionHook[];
}) {
  const { db, cases, workers, timers, metrics } = deps;
  const telemetry = deps.telemetry ?? noTelemetry;
  const clock = deps.clock ?? systemClock;

  /** Test events exercise the whole path up to the case, but never reach a person. */
  const real = (ev: AlertEvent) => ev.test !== true;
  const level2Of = (ev: AlertEvent, now: Date) =>
    addSeconds(now, deadlinesFor(deps.config.escalation.deadlines, ev.kind, ev.severity).level2S);
  const detailOf = (ev: AlertEvent) => ({
    eventId: ev.id,
    gatewayId: ev.gatewayId,
    severity: ev.severity,
    ...(ev.test ? { test: true } : {}),
  });

  /** Counts what was committed. */
  function committed(ev: AlertEvent, outcome: RecordOutcome, opts: RecordOptions = {}): RecordOutcome {
    if (outcome.status === 'duplicate') {
      metrics.eventsDuplicate.inc();
      return outcome;
    }
    metrics.eventsIngested.inc({ kind: ev.kind });
    if (opts.quiet) return outcome;
    telemetry.eventStored(ev);
    if (outcome.status === 'stored' && outcome.opened) {
      metrics.casesOpened.inc({ kind: ev.kind });
      telemetry.caseChanged({
        caseId: outcome.caseId,
        residentId: ev.residentId,
        kind: ev.kind,
        state: 'opened',
        test: ev.test === true,
        at: clock.now(),
      });
    }
    return outcome;
  }

  async function transitionIn(
    tx: Queryable,
    id: string,
    to: TargetState,
    actor: Actor,
    opts: { note?: string | undefined; legacy?: boolean },
  ): Promise<{ case: Case; queued: Queued[] }> {
    const c = await cases.lock(tx, id);
    if (!c) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${id} not found`);
    const now = clock.now();
    if (opts.legacy && !AWAITING_ACK.includes(c.status)) {
      throw new ConflictError('CLOUD_CASE_NOT_OPEN', `case ${id} is ${c.status}, not open`);
    }
    const check = checkTransition(c.status, to, actor);
    if (!check.ok) throw new ConflictError(check.code, `case ${id}: ${check.message}`);
    if (actor.type === 'worker') {
      const w = await workers.get(actor.id, tx);
      if (!w) throw new NotFoundError('CLOUD_WORKER_NOT_FOUND', `worker ${actor.id} not found`);
      if (c.assigneeId !== null && c.assigneeId !== w.id) {
        throw new ConflictError(
          'CLOUD_CASE_NOT_ASSIGNEE',
          `case ${id} is with worker ${c.assigneeId}, not ${w.id}`,
        );
      }
      if (c.assigneeId === null) {
        await cases.update(tx, id, { assignee_id: w.id, assignee: w.name, station_id: w.stationId }, now);
      }
    }
    if (to === 'assigned') {
      // The duty desk asks for the next worker (the system does this when a deadline passes).
      const r = await deps.assignNextWorker(tx, c, now);
      if (!r.assigned) throw new ConflictError('CLOUD_CASE_NO_WORKER', `case ${id}: no worker (${r.reason})`);
      return { case: (await cases.get(id, tx))!, queued: r.queued };
    }
    const fields: Record<string, unknown> = { status: to };
    const stamp = STAMP[to];
    if (stamp) fields[stamp] = now;
    if (to === 'acknowledged') fields.acknowledged_by = actor.id;
    if (to === 'closed' && c.status === 'resolved') fields.resolution = opts.note ?? c.resolution;
    else if (opts.note !== undefined && ['resolved', 'cancelled', 'false_alarm'].includes(to)) {
      fields.resolution = opts.note;
    }
    await cases.update(tx, id, fields, now);
    await appendTimeline(
      tx,
      id,
      to,
      opts.legacy
        ? { by: actor.id }
        : { from: c.status, actor, ...(opts.note === undefined ? {} : { note: opts.note }) },
      now,
    );
    const after = (await cases.get(id, tx))!;
    const queued: Queued[] = [];
    for (const hook of deps.transitionHooks ?? []) {
      queued.push(...(await hook(tx, { from: c.status, to, actor, case: after, at: now })));
    }
    return { case: after, queued };
  }

  function told(before: Case, after: Case): void {
    if (after.status !== 'acknowledged' || before.status === 'acknowledged') return;
    telemetry.caseChanged({
      caseId: after.id,
      residentId: after.residentId,
      kind: after.kind,
      state: 'acknowledged',
      test: after.test,
      at: new Date(after.acknowledgedAt ?? clock.now()),
      openedAt: new Date(after.openedAt),
    });
  }

  /**
   * Stores `ev` idempotently (by id) and files it into a case: appends it to the active case of its kind
   * (and device fault), or opens one. A `cleared` device fault closes the active case of that fault
   * instead (the system closes it: the fault is gone, nobody has to do anything).
   */
  async function recordIn(
    tx: Queryable,
    ev: AlertEvent,
    now: Date,
  ): Promise<{ outcome: RecordOutcome; level2At: Date | null }> {
    if (!(await cases.insertEvent(tx, ev))) return { outcome: { status: 'duplicate' }, level2At: null };
    const detail = detailOf(ev);
    if (isClearedFault(ev)) {
      const open = await cases.lockActiveFault(tx, ev.residentId, faultKeyOf(ev), ev.test === true);
      if (!open) return { outcome: { status: 'cleared', caseId: null }, level2At: null };
      await tx.query('UPDATE events SET case_id = $2 WHERE id = $1', [ev.id, open.id]);
      await appendTimeline(tx, open.id, 'fault_cleared', detail, now);
      await cases.update(
        tx,
        open.id,
        { status: 'closed', resolved_at: now, closed_at: now, resolution: 'fault cleared' },
        now,
      );
      await appendTimeline(
        tx,
        open.id,
        'closed',
        { from: open.status, actor: { type: 'system', id: 'supervision' }, note: 'fault cleared' },
        now,
      );
      return { outcome: { status: 'cleared', caseId: open.id }, level2At: null };
    }
    // A new case gets its 'opened' entry from openOrFind; an existing one an 'event_appended'.
    const { caseId, opened } = await cases.openOrFind(tx, ev, now, detail);
    await cases.attachEvent(tx, ev.id, caseId, ev.severity, opened);
    let level2At: Date | null = null;
    if (!opened) await appendTimeline(tx, caseId, 'event_appended', detail, now);
    else if (real(ev)) {
      level2At = level2Of(ev, now);
      await timers.create(tx, { caseId, kind: 'level2', attempt: 1, dueAt: level2At });
    }
    return { outcome: { status: 'stored', caseId, opened }, level2At };
  }

  return {
    clock,

    /**
     * The common case — a new alarm from a gateway registered for its resident — in ONE statement
     * (cases.openWithEvent). Undefined when it is not that case (a duplicate, a later event of an active
     * case, a gateway not registered for the resident): `recordEvent` then decides. Level 1 follows after
     * the commit (`respond`); the case waits for it with `level IS NULL`, so a crash in between loses
     * nothing. Throws only on database failure.
     */
    async openCase(ev: AlertEvent): Promise<RecordOutcome | undefined> {
      if (isClearedFault(ev)) return undefined; // closes a case, never opens one: recordEvent
      const now = clock.now();
      const caseId = randomUUID();
      const level2At = real(ev) ? level2Of(ev, now) : null;
      const opened = await cases.openWithEvent(db, ev, { caseId, now, openedDetail: detailOf(ev), level2At });
      if (!opened) return undefined;
      if (level2At) deps.onTimerCreated?.(level2At);
      return committed(ev, { status: 'stored', caseId, opened: true });
    },

    /**
     * Stores `ev` idempotently (by id) and files it into a case: appends it to the active case of its kind,
     * or opens one (as `openCase` does). Throws only on database failure.
     */
    async recordEvent(ev: AlertEvent, opts: RecordOptions = {}): Promise<RecordOutcome> {
      const r = await db.transaction((tx) => recordIn(tx, ev, clock.now()));
      if (r.level2At) deps.onTimerCreated?.(r.level2At);
      return committed(ev, r.outcome, opts);
    },

    /**
     * `recordEvent` inside the caller's transaction (the supervision job raises gateway_silent in the
     * transaction that claims the gateway). The caller commits, then calls `recorded`.
     */
    recordIn,
    /** After the commit of `recordIn`: counts it and wakes the job runner for its timer. */
    recorded(ev: AlertEvent, r: Awaited<ReturnType<typeof recordIn>>): RecordOutcome {
      if (r.level2At) deps.onTimerCreated?.(r.level2At);
      return committed(ev, r.outcome);
    },

    /**
     * One lifecycle step by a named actor (case-state-machine.ts). 404 unknown case or worker; 409 with
     * a stable code when the step is illegal, the actor may not make it, or the worker is not the
     * assignee. Returns the case and the texts to send after the commit.
     */
    async transition(
      id: string,
      to: TargetState,
      actor: Actor,
      note?: string,
      inTx?: InTransaction,
    ): Promise<{ case: Case; notificationIds: string[] }> {
      const before = await cases.get(id);
      const r = await db.transaction(async (tx) => {
        const out = await transitionIn(tx, id, to, actor, { note });
        await inTx?.(tx);
        return out;
      });
      if (before) told(before, r.case);
      return { case: r.case, notificationIds: sendable(r.queued) };
    },

    /**
     * The pre-issue-4 acknowledgement (`POST /cases/:id/ack`): open or assigned → acknowledged, by a
     * worker when `by` is a worker id, else by the duty desk. 409 CLOUD_CASE_NOT_OPEN otherwise.
     */
    async acknowledge(id: string, by: string, inTx?: InTransaction): Promise<Case> {
      const actor: Actor = (await workers.get(by))
        ? { type: 'worker', id: by }
        : { type: 'duty_desk', id: by };
      const before = await cases.get(id);
      const r = await db.transaction(async (tx) => {
        const out = await transitionIn(tx, id, 'acknowledged', actor, { legacy: true });
        await inTx?.(tx);
        return out;
      });
      if (before) told(before, r.case);
      return r.case;
    },
  };
}

export type CasesService = ReturnType<typeof createCasesService>;
