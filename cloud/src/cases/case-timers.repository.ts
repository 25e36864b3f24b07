import type { Queryable } from '../db/index.ts';

export type TimerKind = 'ack_deadline' | 'level2' | 'level3';
export type TimerOutcome = 'reassigned' | 'exhausted' | 'escalated' | 'moot';

export interface Timer {
  id: string;
  caseId: string;
  kind: TimerKind;
  attempt: number;
  dueAt: Date;
}

/**
 * Escalation timers as rows (DESIGN "Cloud at scale"): created in the transaction that makes them
 * necessary, claimed by whichever replica polls first with FOR UPDATE SKIP LOCKED, and marked fired in
 * the transaction that does what they stand for, so a timer fires once or — if that transaction dies
 * with its process — not yet, and another replica takes it.
 */
export function createTimersRepository() {
  return {
    /** Idempotent: (case, kind, attempt) is unique, a second create is a no-op. */
    async create(tx: Queryable, t: Omit<Timer, 'id'>): Promise<boolean> {
      const r = await tx.query(
        `INSERT INTO timers (case_id, kind, attempt, due_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (case_id, kind, attempt) DO NOTHING RETURNING id`,
        [t.caseId, t.kind, t.attempt, t.dueAt],
      );
      return r.rows.length === 1;
    },

    /** Several timers in one statement (same idempotency as `create`). */
    async createMany(tx: Queryable, list: readonly Omit<Timer, 'id'>[]): Promise<void> {
      if (list.length === 0) return;
      const values = list.map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`);
      await tx.query(
        `INSERT INTO timers (case_id, kind, attempt, due_at) VALUES ${values.join(', ')}
         ON CONFLICT (case_id, kind, attempt) DO NOTHING`,
        list.flatMap((t) => [t.caseId, t.kind, t.attempt, t.dueAt]),
      );
    },

    /** Locks one due, unfired timer that no other transaction holds (inside the firing transaction). */
    async claimDue(tx: Queryable, now: Date): Promise<Timer | undefined> {
      const { rows } = await tx.query<{
        id: string;
        case_id: string;
        kind: TimerKind;
        attempt: number;
        due_at: Date;
      }>(
        `SELECT id, case_id, kind, attempt, due_at FROM timers
         WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1
         ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      const r = rows[0];
      return (
        r && {
          id: String(r.id),
          caseId: r.case_id,
          kind: r.kind,
          attempt: Number(r.attempt),
          dueAt: r.due_at,
        }
      );
    },

    async markFired(tx: Queryable, id: string, by: string, outcome: TimerOutcome, now: Date): Promise<void> {
      await tx.query('UPDATE timers SET fired_at = $2, fired_by = $3, outcome = $4 WHERE id = $1', [
        id,
        now,
        by,
        outcome,
      ]);
    },

    /** The earliest pending due time (to sleep until it), if any. */
    async nextDue(tx: Queryable): Promise<Date | undefined> {
      const { rows } = await tx.query<{ due: Date | null }>(
        'SELECT min(due_at) AS due FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL',
      );
      return rows[0]?.due ?? undefined;
    },
  };
}

export type TimersRepository = ReturnType<typeof createTimersRepository>;
