import type pg from 'pg';

/**
 * Finishes every open case of these residents (and cancels their timers), so the next round's events
 * each open a fresh case — for benches and tests that send the same residents' events round after round.
 */
export async function closeCases(db: pg.Client, residentIds: readonly string[]): Promise<void> {
  await db.query(
    `UPDATE timers SET cancelled_at = now() WHERE fired_at IS NULL AND cancelled_at IS NULL
       AND case_id IN (SELECT id FROM cases WHERE resident_id = ANY($1::text[]))`,
    [residentIds],
  );
  await db.query(
    `UPDATE cases SET status = 'false_alarm', closed_at = now(), updated_at = now()
     WHERE resident_id = ANY($1::text[]) AND status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm')`,
    [residentIds],
  );
}
