import { randomUUID } from 'node:crypto';
import { isoTime, isoTimeOrNull, type Queryable } from '../db/index.ts';
import type { Language } from '../residents/residents.schemas.ts';
import type { CaseTimelinePort } from './case-timeline.port.ts';
import type { MessageType } from './message-types.ts';
import type { Notification, NotificationStatus, RecipientRole } from './notifications.schemas.ts';

interface NotificationRow {
  id: string;
  case_id: string;
  recipient_phone: string;
  language: Language;
  body: string;
  channel: string;
  status: NotificationStatus;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  recipient_role: RecipientRole;
  recipient_id: string | null;
  not_before: Date | null;
}

const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  caseId: r.case_id,
  recipientPhone: r.recipient_phone,
  language: r.language,
  body: r.body,
  channel: r.channel,
  status: r.status,
  error: r.error,
  createdAt: isoTime(r.created_at),
  updatedAt: isoTime(r.updated_at),
  recipientRole: r.recipient_role,
  recipientId: r.recipient_id,
  notBefore: isoTimeOrNull(r.not_before),
});

export interface NewNotification {
  caseId: string;
  recipientPhone: string;
  language: Language;
  body: string;
  channel: string;
  /** Who the text is for (default guardian) and their id (guardian, worker, station or duty desk). */
  recipientRole?: RecipientRole;
  recipientId?: string;
  /** Held until then (a guardian's quiet hours); sent by the held-texts job once due. */
  notBefore?: Date;
  /** What the text is (a template-only provider picks its template by it). */
  messageType?: MessageType;
}

/** `timeline`: the cases module's, for the entry each sent or failed text leaves on its case. */
export function createNotificationsRepository(db: Queryable, timeline: CaseTimelinePort) {
  return {
    /** Writes a 'pending' row (inside the caller's transaction); returns its id. */
    async insertPending(tx: Queryable, n: NewNotification): Promise<string> {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO notifications (id, case_id, recipient_phone, language, body, channel, status,
                                    recipient_role, recipient_id, not_before, message_type)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10)`,
        [
          id,
          n.caseId,
          n.recipientPhone,
          n.language,
          n.body,
          n.channel,
          n.recipientRole ?? 'guardian',
          n.recipientId ?? null,
          n.notBefore ?? null,
          n.messageType ?? null,
        ],
      );
      return id;
    },

    /**
     * Claims a pending row for sending (pending → sending). Only one caller wins, so a message is never
     * sent twice even if two replicas try to resend the same backlog.
     */
    async claim(id: string): Promise<Notification | undefined> {
      const { rows } = await db.query<NotificationRow>(
        `UPDATE notifications SET status = 'sending', updated_at = now()
         WHERE id = $1 AND status = 'pending' RETURNING *`,
        [id],
      );
      return rows[0] && toNotification(rows[0]);
    },

    /**
     * Records the outcome of a send and its case timeline entry (`notified` / `notification_failed` with
     * `timelineDetail`, written by the cases module's timeline), in one statement: atomic without a transaction, one round trip per text. Only
     * a claimed ('sending') row: run again after a commit whose answer was lost, it records nothing twice.
     */
    async finish(
      id: string,
      status: 'sent' | 'failed',
      error: string | null,
      timelineDetail: Record<string, unknown>,
    ): Promise<void> {
      await timeline.appendAfter(
        db,
        {
          sql: `UPDATE notifications SET status = $2, error = $3, updated_at = now()
                WHERE id = $1 AND status = 'sending' RETURNING case_id`,
          params: [id, status, error],
        },
        status === 'sent' ? 'notified' : 'notification_failed',
        timelineDetail,
      );
    },

    /** Rows left 'pending' for longer than `olderThanS` (the process died between commit and send). */
    async stalePending(olderThanS: number, limit = 100): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM notifications
         WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
           AND (not_before IS NULL OR not_before <= now())
         ORDER BY created_at LIMIT $2`,
        [olderThanS, limit],
      );
      return rows.map((r) => r.id);
    },

    /** Held texts whose time has come (quiet hours over), by the service clock. */
    async dueHeld(now: Date, limit = 100): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM notifications WHERE status = 'pending' AND not_before IS NOT NULL AND not_before <= $1
         ORDER BY not_before LIMIT $2`,
        [now, limit],
      );
      return rows.map((r) => r.id);
    },

    async list(filter: { caseId?: string | undefined; limit: number }): Promise<Notification[]> {
      const { rows } = await db.query<NotificationRow>(
        `SELECT * FROM notifications WHERE ($1::text IS NULL OR case_id = $1)
         ORDER BY created_at, id LIMIT $2`,
        [filter.caseId ?? null, filter.limit],
      );
      return rows.map(toNotification);
    },
  };
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;
