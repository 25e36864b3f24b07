import type { Queryable } from '../../db/index.ts';
import type { CaseTimelinePort } from '../case-timeline.port.ts';
import { messageTypeOf } from '../message-types.ts';
import { shareableAddress } from '../staff-alert.template.ts';
import type { MessageFacts } from './aliyun/aliyun-templates.ts';

export type SmsDeliveryStatus = 'accepted' | 'sent' | 'delivered' | 'undelivered';

/** Later states win; a late 'sent' callback never undoes 'delivered' (Twilio callbacks may arrive out of order). */
const RANK_SQL = (col: string) =>
  `CASE ${col} WHEN 'accepted' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 WHEN 'undelivered' THEN 3 ELSE 0 END`;

export interface ReceiptUpdate {
  provider: string;
  /** Our notification id, when the provider echoes it (Aliyun out_id, our Twilio callback `?n=`). */
  notificationId?: string | undefined;
  /** The provider's message id (Aliyun biz_id, Twilio MessageSid). */
  messageId?: string | undefined;
  status: Exclude<SmsDeliveryStatus, 'accepted'>;
  errorCode?: string | undefined;
  at: Date;
}

/**
 * What the providers said about each text: the sms_* columns of `notifications` (migration 004). The
 * notifiers write attempts and acceptance; the webhook routes write receipts. The sender keeps owning
 * `status`/`error`, so nothing here races with it.
 */
export function createSmsLedger(db: Queryable, timeline: CaseTimelinePort) {
  return {
    async attempt(notificationId: string, provider: string): Promise<void> {
      await db.query(
        'UPDATE notifications SET sms_provider = $2, sms_attempts = sms_attempts + 1 WHERE id = $1',
        [notificationId, provider],
      );
    },

    /** The provider took the text and gave it this id. */
    async accepted(notificationId: string, provider: string, messageId: string): Promise<void> {
      await db.query(
        `UPDATE notifications SET sms_provider = $2, sms_message_id = $3, sms_error_code = NULL,
           sms_delivery_status = CASE WHEN ${RANK_SQL('sms_delivery_status')} > 1 THEN sms_delivery_status ELSE 'accepted' END,
           sms_delivery_at = COALESCE(sms_delivery_at, now())
         WHERE id = $1`,
        [notificationId, provider, messageId],
      );
    },

    async rejected(notificationId: string, provider: string, code: string): Promise<void> {
      await db.query('UPDATE notifications SET sms_provider = $2, sms_error_code = $3 WHERE id = $1', [
        notificationId,
        provider,
        code.slice(0, 100),
      ]);
    },

    /**
     * Applies a delivery receipt; returns the case it belongs to, or undefined when no text of ours
     * matches (an unknown or foreign receipt). Writes a timeline entry when the final state is reached.
     */
    async receipt(r: ReceiptUpdate, tx: Queryable = db): Promise<{ caseId: string } | undefined> {
      const { rows } = await tx.query<{ id: string; case_id: string; changed: boolean }>(
        `UPDATE notifications SET
           sms_message_id = COALESCE(sms_message_id, $3),
           sms_provider = COALESCE(sms_provider, $2),
           sms_delivery_status = CASE WHEN ${RANK_SQL('sms_delivery_status')} > ${RANK_SQL('$4::text')}
                                      THEN sms_delivery_status ELSE $4 END,
           sms_delivery_at = CASE WHEN ${RANK_SQL('sms_delivery_status')} > ${RANK_SQL('$4::text')}
                                  THEN sms_delivery_at ELSE $5 END,
           sms_error_code = CASE WHEN $4 = 'undelivered' THEN $6 ELSE sms_error_code END
         WHERE ($1::text IS NOT NULL AND id = $1)
            OR ($1::text IS NULL AND sms_provider = $2 AND sms_message_id = $3)
         RETURNING id, case_id`,
        [r.notificationId ?? null, r.provider, r.messageId ?? null, r.status, r.at, r.errorCode ?? null],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (r.status === 'delivered' || r.status === 'undelivered') {
        await timeline.append(
          tx,
          row.case_id,
          r.status === 'delivered' ? 'sms_delivered' : 'sms_undelivered',
          {
            notificationId: row.id,
            provider: r.provider,
            ...(r.errorCode ? { errorCode: r.errorCode } : {}),
          },
        );
      }
      return { caseId: row.case_id };
    },

    /**
     * What a template of any message type needs, for providers that send templates with parameters
     * (Aliyun): the case, the resident's name, the address only where this recipient may see it.
     */
    async messageFacts(notificationId: string): Promise<MessageFacts | undefined> {
      const { rows } = await db.query<{
        case_id: string;
        kind: string;
        name: string;
        address: string | null;
        consent: { shareAddressWithWorkers?: boolean };
        assignee: string | null;
        message_type: string | null;
        recipient_role: string;
        occurred_at: Date;
      }>(
        `SELECT c.id AS case_id, c.kind, r.name, r.address, r.consent, c.assignee, n.message_type, n.recipient_role,
                COALESCE((SELECT min(e.occurred_at) FROM events e WHERE e.case_id = c.id), c.opened_at) AS occurred_at
         FROM notifications n JOIN cases c ON c.id = n.case_id JOIN residents r ON r.id = c.resident_id
         WHERE n.id = $1`,
        [notificationId],
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        caseId: r.case_id,
        kind: r.kind,
        residentName: r.name,
        // Guardians never get the address by text; staff unless the resident refused it.
        address:
          r.recipient_role === 'guardian'
            ? null
            : shareableAddress({ address: r.address, consent: r.consent ?? {} }),
        assignee: r.assignee,
        occurredAt: new Date(r.occurred_at).toISOString(),
        messageType: messageTypeOf(r.message_type, r.recipient_role),
      };
    },
  };
}

export type SmsLedger = ReturnType<typeof createSmsLedger>;
