import type { Language } from '../../residents/residents.schemas.ts';

/** An inbound text as the webhooks hand it over (see inbound-reply.service.ts). */
export interface InboundText {
  provider: string;
  /** The provider's id for the text (Twilio MessageSid, Aliyun sequence_id): re-deliveries are no-ops. */
  providerMessageId: string;
  fromPhone: string;
  to?: string | undefined;
  body: string;
  receivedAt: Date;
}

export type InboundOutcome =
  | 'acknowledged'
  | 'nothing_open'
  | 'help'
  | 'unknown_sender'
  | 'duplicate'
  | 'survey_score'
  | 'survey_late'
  | 'survey_help'
  | 'complaint';

export interface InboundResult {
  outcome: InboundOutcome;
  caseId?: string;
  /** What to text back, in the sender's language; absent for unknown senders and duplicates. */
  reply?: string;
}

/**
 * Something we asked a phone by SMS that its next text may answer: an alert waiting for "1"/"OK", a
 * survey waiting for a score (plug point; the router in inbound-reply.service.ts picks one per text).
 */
export interface ReplyTarget {
  readonly name: string;
  /**
   * The newest question still open to answers from this phone (narrowed to `caseRef` when the text
   * quotes one): when it was asked, and whether it still waits for its first answer.
   */
  lastAsked(q: {
    phoneKeys: readonly string[];
    caseRef: string | undefined;
  }): Promise<{ at: Date; open: boolean } | undefined>;
  /** Whether the text is an answer this target expects ("1" or "OK" for an alert, 1-5 for a survey). */
  understands(text: string): boolean;
  answer(t: InboundText & { language: Language; caseRef: string | undefined }): Promise<InboundResult>;
}
