import { jsonParam, type Queryable } from '../db/index.ts';

/** Everything that can happen to a case, in the order it happened. */
export type TimelineType =
  | 'opened'
  | 'event_appended'
  | 'notified'
  | 'notification_failed'
  // … and the SMS provider's delivery receipt (notify/providers/)
  | 'sms_delivered'
  | 'sms_undelivered'
  // issue 4: the lifecycle (one entry per transition, named after the state entered) …
  | 'assigned'
  | 'acknowledged'
  | 'en_route'
  | 'on_site'
  | 'resolved'
  | 'closed'
  | 'cancelled'
  | 'false_alarm'
  // … and what dispatch and escalation did
  | 'ack_deadline_missed'
  | 'dispatch_unavailable'
  | 'escalated'
  // … and what the guardians said afterwards (surveys/)
  | 'survey_sent'
  | 'survey_answered'
  | 'complaint'
  // … and supervision and consent (issue 16): where a technical alarm went, a fault that cleared, why
  // nobody was sent to the door
  | 'routed'
  | 'fault_cleared'
  | 'no_home_visit'
  // … and what people wrote or did in the web console (console/)
  | 'visit_note'
  | 'transferred'
  | 'complaint_updated';

/** Appends one entry to a case's timeline (inside the caller's transaction). */
export async function appendTimeline(
  tx: Queryable,
  caseId: string,
  type: TimelineType,
  detail: Record<string, unknown> = {},
  /** The service clock's time; default the database's clock_timestamp(). */
  at?: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO case_timeline (case_id, type, detail, at)
     VALUES ($1, $2, $3::jsonb, coalesce($4::timestamptz, clock_timestamp()))`,
    [caseId, type, jsonParam(detail), at ?? null],
  );
}

/**
 * Runs `changed` — one data-modifying statement with `RETURNING case_id` — and appends one entry for each
 * case it returns, in ONE statement (atomic without a transaction, one round trip): how another module
 * records what it did about a case without writing the cases' tables itself.
 */
export async function appendTimelineAfter(
  q: Queryable,
  changed: { sql: string; params: readonly unknown[] },
  type: TimelineType,
  detail: Record<string, unknown>,
): Promise<void> {
  const n = changed.params.length;
  await q.query(
    `WITH changed AS (${changed.sql})
     INSERT INTO case_timeline (case_id, type, detail) SELECT case_id, $${n + 1}, $${n + 2}::jsonb FROM changed`,
    [...changed.params, type, jsonParam(detail)],
  );
}

/** The timeline as other modules are handed it (notify's CaseTimelinePort). */
export const caseTimeline = { append: appendTimeline, appendAfter: appendTimelineAfter };
