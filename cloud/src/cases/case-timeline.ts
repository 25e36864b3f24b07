import { jsonParam, type Queryable } from '../db/index.ts';

/** Everything that can happen to a case, in the order it happened. */
export type TimelineType = 'opened' | 'event_appended' | 'notified' | 'notification_failed' | 'acknowledged';

/** Appends one entry to a case's timeline (inside the caller's transaction). */
export async function appendTimeline(
  tx: Queryable,
  caseId: string,
  type: TimelineType,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await tx.query('INSERT INTO case_timeline (case_id, type, detail) VALUES ($1, $2, $3::jsonb)', [
    caseId,
    type,
    jsonParam(detail),
  ]);
}
