import { randomUUID } from 'node:crypto';
import type { AlertEvent } from '../../../contracts/src/index.ts';
import { isoTime, isoTimeOrNull, jsonParam, type Queryable } from '../db/index.ts';
import type { Case, CaseEvent, ListCasesQuery, TimelineEntry } from './cases.schemas.ts';
import { faultKeyOf } from './fault-key.ts';

interface CaseRow {
  id: string;
  resident_id: string;
  kind: Case['kind'];
  severity: Case['severity'];
  status: Case['status'];
  test: boolean;
  opened_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  event_count: number;
  level: number | null;
  station_id: string | null;
  assignee_id: string | null;
  assignee: string | null;
  ack_deadline_at: Date | null;
  en_route_at: Date | null;
  on_site_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  resolution: string | null;
}

interface EventRow {
  id: string;
  gateway_id: string;
  kind: CaseEvent['kind'];
  severity: CaseEvent['severity'];
  occurred_at: Date;
  detected_at: Date;
  received_at: Date;
  score: CaseEvent['score'];
  evidence: CaseEvent['evidence'];
  test: boolean;
}

const toCase = (r: CaseRow): Case => ({
  id: r.id,
  residentId: r.resident_id,
  kind: r.kind,
  severity: r.severity,
  status: r.status,
  test: r.test,
  openedAt: isoTime(r.opened_at),
  updatedAt: isoTime(r.updated_at),
  acknowledgedAt: isoTimeOrNull(r.acknowledged_at),
  acknowledgedBy: r.acknowledged_by,
  eventCount: Number(r.event_count),
  level: r.level === null ? null : Number(r.level),
  stationId: r.station_id,
  assigneeId: r.assignee_id,
  assignee: r.assignee,
  ackDeadlineAt: isoTimeOrNull(r.ack_deadline_at),
  enRouteAt: isoTimeOrNull(r.en_route_at),
  onSiteAt: isoTimeOrNull(r.on_site_at),
  resolvedAt: isoTimeOrNull(r.resolved_at),
  closedAt: isoTimeOrNull(r.closed_at),
  resolution: r.resolution,
});

const toEvent = (r: EventRow): CaseEvent => ({
  id: r.id,
  gatewayId: r.gateway_id,
  kind: r.kind,
  severity: r.severity,
  occurredAt: isoTime(r.occurred_at),
  detectedAt: isoTime(r.detected_at),
  receivedAt: isoTime(r.received_at),
  score: r.score ?? null,
  evidence: r.evidence,
  test: r.test,
});

const CASE_COLUMNS = `c.*, (SELECT count(*) FROM events e WHERE e.case_id = c.id)::int AS event_count`;
/** Severity order, for "a case is as severe as its worst event". */
const SEVERITY_RANK = `ARRAY['info', 'warning', 'urgent', 'critical']`;
/** "Open" for the one-case rule: not terminal. Must match the partial unique index of migration 003. */
export const ACTIVE = `status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm')`;
/**
 * A real case nobody has responded to yet: level 1 (dispatch, or the guardians when no worker can go) is
 * written by the response, after the case committed. `status = 'open'` also lets cases_open_idx serve it.
 */
const AWAITING_RESPONSE = `c.status = 'open' AND c.level IS NULL AND NOT c.test`;

/** $1..$10 of an events row (id … test), shared by the general insert and the one-statement open. */
function eventRowParams(ev: AlertEvent): unknown[] {
  return [
    ev.id,
    ev.gatewayId,
    ev.residentId,
    ev.kind,
    ev.severity,
    ev.occurredAt,
    ev.detectedAt,
    jsonParam(ev.score ?? null),
    jsonParam(ev.evidence),
    ev.test === true,
  ];
}

export function createCasesRepository(db: Queryable) {
  return {
    /** Stores the event unless its id is known; false = duplicate (nothing written). */
    async insertEvent(tx: Queryable, ev: AlertEvent): Promise<boolean> {
      const r = await tx.query(
        `INSERT INTO events (id, gateway_id, resident_id, kind, severity, occurred_at, detected_at, score,
                             evidence, test)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        eventRowParams(ev),
      );
      return r.rows.length === 1;
    },

    /**
     * The hot path of a new alarm, in ONE statement — atomic by itself, so no BEGIN/COMMIT round trips
     * before the PUBACK: opens case `caseId` with the event filed under it, its 'opened' timeline entry and,
     * when `level2At` is given, its level-2 timer. It does nothing and returns false unless the gateway is
     * registered for the event's resident, the event id is new and the resident has no active case of that
     * kind; the caller then takes the general path (rejection, duplicate, append). Level 1 (dispatch) is not
     * part of it: the case stays `level IS NULL` until it is responded to, after the commit.
     *
     * Races: a concurrent first event of the same resident and kind waits on the partial unique index and
     * then inserts nothing (general path: append); the same event id arriving twice at once makes the second
     * insert nothing (general path: duplicate) — or, if its case had already finished, fail on the events
     * primary key, which rolls the statement back and withholds the PUBACK, so the gateway resends it.
     */
    async openWithEvent(
      q: Queryable,
      ev: AlertEvent,
      o: { caseId: string; now: Date; openedDetail: Record<string, unknown>; level2At: Date | null },
    ): Promise<boolean> {
      const { rows } = await q.query(
        `WITH allowed AS (
           SELECT 1 FROM gateways g
           WHERE g.id = $2 AND g.resident_id = $3 AND NOT EXISTS (SELECT 1 FROM events WHERE id = $1)
             -- a resident who refused data processing takes the long way (ingest's consent check)
             AND NOT EXISTS (SELECT 1 FROM residents r WHERE r.id = $3 AND r.consent->>'dataProcessing' = 'false')
         ), c AS (
           INSERT INTO cases (id, resident_id, kind, severity, test, opened_at, updated_at, fault_key)
           SELECT $11, $3, $4, $5, $10, $12, $12, $15 FROM allowed
           ON CONFLICT (resident_id, kind, test, fault_key) WHERE ${ACTIVE} DO NOTHING RETURNING id
         ), e AS (
           INSERT INTO events (id, gateway_id, resident_id, kind, severity, occurred_at, detected_at, score,
                               evidence, test, case_id)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, id FROM c RETURNING id
         ), t AS (
           INSERT INTO case_timeline (case_id, type, detail, at) SELECT id, 'opened', $13::jsonb, $12 FROM c
         ), l2 AS (
           INSERT INTO timers (case_id, kind, attempt, due_at)
           SELECT id, 'level2', 1, $14::timestamptz FROM c WHERE $14::timestamptz IS NOT NULL
         )
         SELECT id FROM e`,
        [...eventRowParams(ev), o.caseId, o.now, jsonParam(o.openedDetail), o.level2At, faultKeyOf(ev)],
      );
      return rows.length === 1;
    },

    /**
     * Opens a case for (resident, kind, test) or finds the open one. Two concurrent first events race on
     * the partial unique index; the loser's INSERT does nothing and it appends to the winner's case.
     * A new case gets its 'opened' timeline entry (`openedDetail`) in the same statement (one round trip).
     */
    async openOrFind(
      tx: Queryable,
      ev: Pick<AlertEvent, 'residentId' | 'kind' | 'severity' | 'test' | 'evidence'>,
      now: Date = new Date(),
      openedDetail: Record<string, unknown> = {},
    ): Promise<{ caseId: string; opened: boolean }> {
      const test = ev.test === true;
      const faultKey = faultKeyOf(ev);
      for (let attempt = 0; attempt < 3; attempt++) {
        const inserted = await tx.query<{ id: string }>(
          `WITH c AS (
             INSERT INTO cases (id, resident_id, kind, severity, test, opened_at, updated_at, fault_key)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $8)
             ON CONFLICT (resident_id, kind, test, fault_key) WHERE ${ACTIVE} DO NOTHING RETURNING id
           ), t AS (
             INSERT INTO case_timeline (case_id, type, detail, at) SELECT id, 'opened', $7::jsonb, $6 FROM c
           )
           SELECT id FROM c`,
          [randomUUID(), ev.residentId, ev.kind, ev.severity, test, now, jsonParam(openedDetail), faultKey],
        );
        if (inserted.rows[0]) return { caseId: inserted.rows[0].id, opened: true };
        const open = await tx.query<{ id: string }>(
          `SELECT id FROM cases WHERE resident_id = $1 AND kind = $2 AND test = $3 AND fault_key = $4
             AND ${ACTIVE} FOR UPDATE`,
          [ev.residentId, ev.kind, test, faultKey],
        );
        // Finished between our INSERT and SELECT: try again (a new case opens).
        if (open.rows[0]) return { caseId: open.rows[0].id, opened: false };
      }
      throw new Error(`could not open or find a case for ${ev.residentId}/${ev.kind}`);
    },

    /**
     * Files the event under its case. A case that has just opened already has the event's severity; an
     * existing one takes it when it is worse (one statement either way).
     */
    async attachEvent(
      tx: Queryable,
      eventId: string,
      caseId: string,
      severity: string,
      opened = false,
    ): Promise<void> {
      if (opened) {
        await tx.query('UPDATE events SET case_id = $2 WHERE id = $1', [eventId, caseId]);
        return;
      }
      await tx.query(
        `WITH e AS (UPDATE events SET case_id = $1 WHERE id = $3)
         UPDATE cases SET updated_at = now(),
           severity = CASE WHEN array_position(${SEVERITY_RANK}, $2::text) > array_position(${SEVERITY_RANK}, severity)
                           THEN $2::text ELSE severity END
         WHERE id = $1`,
        [caseId, severity, eventId],
      );
    },

    /**
     * Locks a case that has not been responded to yet — real, still `open`, `level IS NULL` (level 1 is
     * written by the response) — for its response, inside the caller's transaction. SKIP LOCKED: a case
     * another transaction holds is being responded to (or changed) there; undefined then, and when the
     * case has been responded to or taken already.
     */
    async lockAwaitingResponse(
      tx: Queryable,
      id: string,
    ): Promise<
      | (Pick<Case, 'id' | 'kind' | 'severity' | 'residentId' | 'openedAt'> & { occurredAt: string })
      | undefined
    > {
      const { rows } = await tx.query<
        Pick<CaseRow, 'id' | 'kind' | 'severity' | 'resident_id' | 'opened_at'> & { occurred_at: Date | null }
      >(
        `SELECT c.id, c.kind, c.severity, c.resident_id, c.opened_at,
                (SELECT min(e.occurred_at) FROM events e WHERE e.case_id = c.id) AS occurred_at
         FROM cases c WHERE c.id = $1 AND ${AWAITING_RESPONSE} FOR UPDATE SKIP LOCKED`,
        [id],
      );
      const r = rows[0];
      return (
        r && {
          id: r.id,
          kind: r.kind,
          severity: r.severity,
          residentId: r.resident_id,
          openedAt: isoTime(r.opened_at),
          occurredAt: isoTime(r.occurred_at ?? r.opened_at),
        }
      );
    },

    /**
     * Cases still waiting for their response that were opened before `before` (the process that opened
     * them died before responding, or its kick was lost): the overdue-responses job responds to them.
     */
    async awaitingResponse(before: Date, limit = 100): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM cases c WHERE ${AWAITING_RESPONSE} AND c.opened_at < $1 ORDER BY c.opened_at LIMIT $2`,
        [before, limit],
      );
      return rows.map((r) => r.id);
    },

    /** Locks the active case of a device fault (resident, '<fault>:<device>'), if there is one. */
    async lockActiveFault(
      tx: Queryable,
      residentId: string,
      faultKey: string,
      test: boolean,
    ): Promise<{ id: string; status: Case['status'] } | undefined> {
      const { rows } = await tx.query<{ id: string; status: Case['status'] }>(
        `SELECT id, status FROM cases WHERE resident_id = $1 AND kind = 'device_health' AND test = $3
           AND fault_key = $2 AND ${ACTIVE} FOR UPDATE`,
        [residentId, faultKey, test],
      );
      return rows[0];
    },

    /** Locks the case row for a state change (inside the caller's transaction). */
    async lock(tx: Queryable, id: string): Promise<Case | undefined> {
      const { rows } = await tx.query<{ id: string }>('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [id]);
      return rows[0] ? this.get(id, tx) : undefined;
    },

    /**
     * Writes the given columns of a case (snake_case names, fixed by callers) and bumps updated_at.
     * `stationNameOf`: also set the `station` column to that station's name, in the same statement.
     */
    async update(
      tx: Queryable,
      id: string,
      fields: Record<string, unknown>,
      now: Date,
      opts: { stationNameOf?: string } = {},
    ): Promise<void> {
      const cols = Object.keys(fields);
      if (!cols.every((c) => /^[a-z_]+$/.test(c))) throw new Error(`bad column in ${cols.join(',')}`);
      const sets = cols.map((c, i) => `${c} = $${i + 3}`);
      const params: unknown[] = [id, now, ...cols.map((c) => fields[c])];
      if (opts.stationNameOf !== undefined) {
        params.push(opts.stationNameOf);
        sets.push(`station = (SELECT name FROM stations WHERE id = $${params.length})`);
      }
      await tx.query(`UPDATE cases SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1`, params);
    },

    /** The workers a case has been offered to, first first (inside the caller's transaction). */
    async askedWorkers(tx: Queryable, caseId: string): Promise<string[]> {
      const { rows } = await tx.query<{ worker_id: string }>(
        'SELECT worker_id FROM case_assignments WHERE case_id = $1 ORDER BY attempt',
        [caseId],
      );
      return rows.map((r) => r.worker_id);
    },

    /**
     * Offers a case to a worker: the assignment row, its timeline entry (`detail`), the worker's
     * acknowledgement-deadline timer (idempotent like timers.create) and the case's columns — at least
     * level 1, and `stationId` (with its name) on a first response — in ONE statement: every opened case
     * runs it, so round trips count.
     */
    async assign(
      tx: Queryable,
      a: {
        caseId: string;
        attempt: number;
        worker: { id: string; name: string };
        ackDeadlineAt: Date;
        stationId: string | null;
        detail: Record<string, unknown>;
        now: Date;
      },
    ): Promise<void> {
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
          a.caseId,
          a.now,
          a.attempt,
          a.worker.id,
          a.worker.name,
          jsonParam(a.detail),
          a.ackDeadlineAt,
          a.stationId,
        ],
      );
    },

    /** When the first event of a case happened, if it has any (inside the caller's transaction). */
    async firstOccurredAt(tx: Queryable, caseId: string): Promise<string | undefined> {
      const { rows } = await tx.query<{ at: Date | null }>(
        'SELECT min(occurred_at) AS at FROM events WHERE case_id = $1',
        [caseId],
      );
      return rows[0]?.at ? isoTime(rows[0].at) : undefined;
    },

    /** The fault named by a technical alarm's first event (a DEVICE_FAULTS value), or null. */
    async firstFault(tx: Queryable, caseId: string): Promise<string | null> {
      const { rows } = await tx.query<{ fault: string | null }>(
        `SELECT evidence->>'fault' AS fault FROM events WHERE case_id = $1 ORDER BY occurred_at LIMIT 1`,
        [caseId],
      );
      return rows[0]?.fault ?? null;
    },

    async get(id: string, tx: Queryable = db): Promise<Case | undefined> {
      const { rows } = await tx.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1`, [id]);
      return rows[0] && toCase(rows[0]);
    },

    /** `stationId`: only the cases of residents registered with that station (a station user's view). */
    async list(q: ListCasesQuery, scope: { stationId?: string | undefined } = {}): Promise<Case[]> {
      const { rows } = await db.query<CaseRow>(
        `SELECT ${CASE_COLUMNS} FROM cases c
         WHERE ($1::text IS NULL OR c.resident_id = $1)
           AND ($2::text IS NULL OR c.status = $2)
           AND ($3::text IS NULL OR c.kind = $3)
           AND ($5::text IS NULL OR c.resident_id IN (SELECT id FROM residents WHERE station_id = $5))
         ORDER BY c.opened_at DESC, c.id LIMIT $4`,
        [q.residentId ?? null, q.status ?? null, q.kind ?? null, q.limit, scope.stationId ?? null],
      );
      return rows.map(toCase);
    },

    async events(caseId: string): Promise<CaseEvent[]> {
      const { rows } = await db.query<EventRow>(
        'SELECT * FROM events WHERE case_id = $1 ORDER BY occurred_at, received_at, id',
        [caseId],
      );
      return rows.map(toEvent);
    },

    /** The newest event of a case, to tell its gateway about an acknowledgement. */
    async latestEvent(caseId: string): Promise<{ id: string; gatewayId: string } | undefined> {
      const { rows } = await db.query<{ id: string; gateway_id: string }>(
        'SELECT id, gateway_id FROM events WHERE case_id = $1 ORDER BY received_at DESC, id DESC LIMIT 1',
        [caseId],
      );
      return rows[0] && { id: rows[0].id, gatewayId: rows[0].gateway_id };
    },

    async timeline(caseId: string): Promise<TimelineEntry[]> {
      const { rows } = await db.query<{ at: Date; type: string; detail: Record<string, unknown> }>(
        'SELECT at, type, detail FROM case_timeline WHERE case_id = $1 ORDER BY id',
        [caseId],
      );
      return rows.map((r) => ({ at: isoTime(r.at), type: r.type, detail: r.detail }));
    },
  };
}

export type CasesRepository = ReturnType<typeof createCasesRepository>;
