import type { QueueItem } from '../../../contracts/src/console-queue.ts';
import { isoTime, isoTimeOrNull, type Queryable } from '../db/index.ts';

interface Row {
  id: string;
  resident_id: string;
  resident_name: string;
  station_id: string | null;
  kind: string;
  severity: string;
  status: string;
  level: number | null;
  test: boolean;
  opened_at: Date;
  updated_at: Date;
  ack_deadline_at: Date | null;
  assignee_id: string | null;
  assignee: string | null;
}

const toItem = (r: Row): QueueItem => ({
  id: r.id,
  residentId: r.resident_id,
  residentName: r.resident_name,
  stationId: r.station_id,
  kind: r.kind,
  severity: r.severity,
  status: r.status,
  level: r.level === null ? null : Number(r.level),
  test: r.test,
  openedAt: isoTime(r.opened_at),
  updatedAt: isoTime(r.updated_at),
  ackDeadlineAt: isoTimeOrNull(r.ack_deadline_at),
  assigneeId: r.assignee_id,
  assignee: r.assignee,
});

/** Not finished: what a desk still has to watch. Same list as cases.repository's ACTIVE. */
export const TERMINAL = ['resolved', 'closed', 'cancelled', 'false_alarm'];

const SELECT = `SELECT c.id, c.resident_id, r.name AS resident_name, r.station_id, c.kind, c.severity, c.status,
    c.level, c.test, c.opened_at, c.updated_at, c.ack_deadline_at, c.assignee_id, c.assignee
  FROM cases c JOIN residents r ON r.id = c.resident_id`;

/**
 * Reads for the console's live queue. A station's people see the cases of their station's residents
 * (the same rule as GET /cases); `stationId` undefined = every station (admins).
 */
export function createQueueRepository(db: Queryable) {
  return {
    /** Every open case, the most urgent first: highest level, then the nearest deadline, then the oldest. */
    async open(stationId: string | undefined): Promise<QueueItem[]> {
      const { rows } = await db.query<Row>(
        `${SELECT}
         WHERE c.status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm')
           AND ($1::text IS NULL OR r.station_id = $1)
         ORDER BY c.level DESC NULLS FIRST, c.ack_deadline_at ASC NULLS LAST, c.opened_at ASC, c.id
         LIMIT 5000`,
        [stationId ?? null],
      );
      return rows.map(toItem);
    },

    /**
     * Cases written after (`since`, `afterId`) in (updated_at, id) order, oldest change first: a page of a
     * keyset scan, so a burst of more than `limit` changes is read in full, page by page.
     */
    async changedSince(since: Date, afterId = '', limit = 500): Promise<QueueItem[]> {
      const { rows } = await db.query<Row>(
        `${SELECT} WHERE (c.updated_at, c.id) > ($1::timestamptz, $2::text) ORDER BY c.updated_at, c.id LIMIT $3`,
        [since, afterId, limit],
      );
      return rows.map(toItem);
    },
  };
}

export type QueueRepository = ReturnType<typeof createQueueRepository>;

export type { QueueItem };
