import type { Queryable } from '../db/index.ts';

/**
 * How notify records on a case's timeline what became of its texts. The cases module owns the timeline
 * (cases/case-timeline.ts `caseTimeline`); the composition root hands it in, so notify never writes the
 * cases' tables with its own SQL and never imports the cases module (which sits above it).
 */
export interface CaseTimelinePort {
  /** One entry (inside the caller's transaction). */
  append(
    tx: Queryable,
    caseId: string,
    type: 'sms_delivered' | 'sms_undelivered',
    detail: Record<string, unknown>,
  ): Promise<void>;
  /**
   * Runs `changed` (one data-modifying statement `RETURNING case_id`) and appends an entry for each case
   * it returns, in the same statement: atomic without a transaction, one round trip.
   */
  appendAfter(
    q: Queryable,
    changed: { sql: string; params: readonly unknown[] },
    type: 'notified' | 'notification_failed',
    detail: Record<string, unknown>,
  ): Promise<void>;
}
