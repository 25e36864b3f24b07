import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Language } from '../../residents/residents.schemas.ts';
import { maskPhone } from '../notifier.ts';
import { phoneDigitsSql, phoneKeys } from './phone-match.ts';
import { renderReply } from './reply.templates.ts';
import type { ReplyHandler } from './reply-handler.ts';
import { parseReply, quotedCaseRef } from './reply-parser.ts';
import type { InboundResult, InboundText, ReplyTarget } from './reply-target.ts';

export type { InboundOutcome, InboundResult, InboundText } from './reply-target.ts';

/**
 * Handles a text someone sent us: store it (always), then — if the sender is someone we texted — hand it
 * to the question it answers, or answer with a short help text in their language. A text from an
 * unknown phone is stored and otherwise ignored (no reply: we do not talk to strangers).
 *
 * Which question: every target (the alert acknowledgement, surveys …) names the newest question it
 * asked this phone. Those still waiting for a first answer come first, newest first; the first of them
 * that understands the text exactly takes it ("1" is a score when the survey came after the alert, an
 * acknowledgement when the alert came after the survey; "OK" is never a score, "4" never an
 * acknowledgement); if none does, the first in that order answers it as best it can (words after a
 * survey are a complaint, after an alert a help text). A quoted case reference narrows every target to
 * that case. With no question open, the alert acknowledgement answers as before ("nothing open" / help).
 */
export function createInboundReplyService(deps: {
  db: Queryable;
  handler: ReplyHandler;
  log: Logger;
  /** More questions a reply may answer (surveys); the alert acknowledgement is always there. */
  targets?: readonly ReplyTarget[];
}) {
  const log = deps.log.child({ component: 'sms-inbound' });
  const ack = ackTarget(deps.handler);
  const targets: readonly ReplyTarget[] = [ack, ...(deps.targets ?? [])];
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
    const keys = phoneKeys(t.fromPhone);
    const { rows } = await deps.db.query<{ language: Language }>(
      `SELECT language FROM notifications WHERE ${phoneDigitsSql('recipient_phone')} = ANY($1)
       ORDER BY created_at DESC LIMIT 1`,
      [keys],
    );
    const language = rows[0]?.language;
    if (!language) return { outcome: 'unknown_sender' };
    const caseRef = quotedCaseRef(t.body);
    const asked = await Promise.all(
      targets.map(async (target) => ({ target, q: await target.lastAsked({ phoneKeys: keys, caseRef }) })),
    );
    const open = asked
      .filter((a): a is { target: ReplyTarget; q: { at: Date; open: boolean } } => a.q !== undefined)
      .sort((a, b) => Number(b.q.open) - Number(a.q.open) || b.q.at.getTime() - a.q.at.getTime());
    const chosen = open.find((a) => a.target.understands(t.body))?.target ?? open[0]?.target ?? ack;
    return chosen.answer({ ...t, language, caseRef });
  }
}

/** The alert acknowledgement as a reply target: "1"/"OK"/"收到" acknowledge the newest waiting case. */
function ackTarget(handler: ReplyHandler): ReplyTarget {
  return {
    name: 'case_ack',
    async lastAsked({ phoneKeys, caseRef }) {
      const at = await handler.lastWaiting?.({ phoneKeys, caseRef });
      return at && { at, open: true };
    },
    understands: (text) => parseReply(text).kind === 'ack',
    answer: (t) => acknowledge(handler, t, t.language),
  };
}

async function acknowledge(
  handler: ReplyHandler,
  t: InboundText,
  language: Language,
): Promise<InboundResult> {
  const parsed = parseReply(t.body);
  if (parsed.kind !== 'ack') return { outcome: 'help', reply: renderReply(language, { kind: 'help' }) };
  const r = await handler.acknowledgeByReply({
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

export type InboundReplyService = ReturnType<typeof createInboundReplyService>;
