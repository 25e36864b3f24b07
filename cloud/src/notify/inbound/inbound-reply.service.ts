import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Language } from '../../residents/residents.schemas.ts';
import { maskPhone } from '../notifier.ts';
import { phoneDigitsSql, phoneKeys } from './phone-match.ts';
import { renderReply } from './reply.templates.ts';
import type { ReplyHandler } from './reply-handler.ts';
import { parseReply } from './reply-parser.ts';

export type InboundOutcome = 'acknowledged' | 'nothing_open' | 'help' | 'unknown_sender' | 'duplicate';

export interface InboundText {
  provider: string;
  /** The provider's id for the text (Twilio MessageSid, Aliyun sequence_id): re-deliveries are no-ops. */
  providerMessageId: string;
  fromPhone: string;
  to?: string | undefined;
  body: string;
  receivedAt: Date;
}

export interface InboundResult {
  outcome: InboundOutcome;
  caseId?: string;
  /** What to text back, in the sender's language; absent for unknown senders and duplicates. */
  reply?: string;
}

/**
 * Handles a text someone sent us: store it (always), then — if the sender is someone we texted — either
 * acknowledge their case ("1", "OK", "收到" …) or answer with a short help text in their language. A
 * text from an unknown phone is stored and otherwise ignored (no reply: we do not talk to strangers).
 */
export function createInboundReplyService(deps: { db: Queryable; handler: ReplyHandler; log: Logger }) {
  const log = deps.log.child({ component: 'sms-inbound' });
  return {
    async handle(t: InboundText): Promise<InboundResult> {
      const id = randomUUID();
      // Stored first, provisionally as 'help': a webhook delivered twice acts once.
      const ins = await deps.db.query(
        `INSERT INTO inbound_messages (id, provider, provider_message_id, from_phone, to_number, body, received_at, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'help') ON CONFLICT (provider, provider_message_id) DO NOTHING`,
        [id, t.provider, t.providerMessageId, t.fromPhone, t.to ?? null, t.body.slice(0, 2000), t.receivedAt],
      );
      if (ins.rowCount === 0) return { outcome: 'duplicate' };

      const result = await decide(t);
      await deps.db.query('UPDATE inbound_messages SET outcome = $2, case_id = $3 WHERE id = $1', [
        id,
        result.outcome,
        result.caseId ?? null,
      ]);
      log.info(
        {
          provider: t.provider,
          from: maskPhone(t.fromPhone),
          outcome: result.outcome,
          caseId: result.caseId,
        },
        'inbound sms handled',
      );
      return result;
    },
  };

  async function decide(t: InboundText): Promise<InboundResult> {
    const { rows } = await deps.db.query<{ language: Language }>(
      `SELECT language FROM notifications WHERE ${phoneDigitsSql('recipient_phone')} = ANY($1)
       ORDER BY created_at DESC LIMIT 1`,
      [phoneKeys(t.fromPhone)],
    );
    const language = rows[0]?.language;
    if (!language) return { outcome: 'unknown_sender' };
    const parsed = parseReply(t.body);
    if (parsed.kind !== 'ack') return { outcome: 'help', reply: renderReply(language, { kind: 'help' }) };
    const r = await deps.handler.acknowledgeByReply({
      fromPhone: t.fromPhone,
      caseRef: parsed.caseRef,
      receivedAt: t.receivedAt.toISOString(),
    });
    if (r.acknowledged && r.caseId) {
      return {
        outcome: 'acknowledged',
        caseId: r.caseId,
        reply: renderReply(language, { kind: 'acknowledged', caseRef: r.caseRef ?? '' }),
      };
    }
    return {
      outcome: 'nothing_open',
      ...(r.caseId ? { caseId: r.caseId } : {}),
      reply: renderReply(language, { kind: 'nothing_open' }),
    };
  }
}

export type InboundReplyService = ReturnType<typeof createInboundReplyService>;
