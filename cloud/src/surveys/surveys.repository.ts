import { randomUUID } from 'node:crypto';
import { isoTime, isoTimeOrNull, type Queryable } from '../db/index.ts';
import { phoneDigitsSql } from '../notify/inbound/phone-match.ts';
import type { Language } from '../residents/residents.schemas.ts';
import type { Complaint, ComplaintSource, Survey } from './surveys.schemas.ts';

interface SurveyRow {
  id: string;
  case_id: string;
  guardian_id: string | null;
  language: Language;
  due_at: Date;
  sent_at: Date | null;
  notification_id: string | null;
  skipped: string | null;
  score: number | null;
  replied_at: Date | null;
  raw_reply: string | null;
  late_replies: number;
  help_replies: number;
}

const toSurvey = (r: SurveyRow): Survey => ({
  id: r.id,
  caseId: r.case_id,
  guardianId: r.guardian_id,
  language: r.language,
  dueAt: isoTime(r.due_at),
  sentAt: isoTimeOrNull(r.sent_at),
  notificationId: r.notification_id,
  skipped: r.skipped,
  score: r.score === null ? null : Number(r.score),
  repliedAt: isoTimeOrNull(r.replied_at),
  rawReply: r.raw_reply,
  lateReplies: Number(r.late_replies),
  helpReplies: Number(r.help_replies),
});

interface ComplaintRow {
  id: string;
  case_id: string;
  source: ComplaintSource;
  survey_id: string | null;
  guardian_id: string | null;
  score: number | null;
  text: string | null;
  recorded_by: string | null;
  created_at: Date;
}

const toComplaint = (r: ComplaintRow): Complaint => ({
  id: r.id,
  caseId: r.case_id,
  source: r.source,
  surveyId: r.survey_id,
  guardianId: r.guardian_id,
  score: r.score === null ? null : Number(r.score),
  text: r.text,
  recordedBy: r.recorded_by,
  createdAt: isoTime(r.created_at),
});

/** A survey that is due, with its guardian as they are now (NULL fields: the guardian was removed). */
export interface DueSurvey {
  id: string;
  caseId: string;
  guardianId: string | null;
  phone: string | null;
  language: Language | null;
  quietHours: { start: string; end: string } | null;
}

/** The survey a reply from a phone may answer. */
export interface AskedSurvey {
  id: string;
  caseId: string;
  guardianId: string | null;
  /** When its text was written (notifications.created_at: the same clock as the alerts it competes with). */
  askedAt: Date;
  answered: boolean;
}

export function createSurveysRepository(db: Queryable) {
  return {
    /** One survey per case and guardian; a second call for the same pair is a no-op. */
    async schedule(
      tx: Queryable,
      s: { caseId: string; guardianId: string; phone: string; language: Language; dueAt: Date },
    ): Promise<boolean> {
      const r = await tx.query(
        `INSERT INTO case_surveys (id, case_id, guardian_id, recipient_phone, language, due_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, guardian_id) DO NOTHING RETURNING id`,
        [randomUUID(), s.caseId, s.guardianId, s.phone, s.language, s.dueAt],
      );
      return r.rows.length === 1;
    },

    /** Locks one due, unsent survey no other transaction holds (inside the sending transaction). */
    async claimDue(tx: Queryable, now: Date): Promise<DueSurvey | undefined> {
      const { rows } = await tx.query<{
        id: string;
        case_id: string;
        guardian_id: string | null;
        phone: string | null;
        language: Language | null;
        quiet_start: string | null;
        quiet_end: string | null;
      }>(
        `SELECT s.id, s.case_id, s.guardian_id, g.phone, g.language, g.quiet_start, g.quiet_end
         FROM case_surveys s LEFT JOIN guardians g ON g.id = s.guardian_id
         WHERE s.sent_at IS NULL AND s.skipped IS NULL AND s.due_at <= $1
         ORDER BY s.due_at, s.id LIMIT 1 FOR UPDATE OF s SKIP LOCKED`,
        [now],
      );
      const r = rows[0];
      return (
        r && {
          id: r.id,
          caseId: r.case_id,
          guardianId: r.guardian_id,
          phone: r.phone,
          language: r.language,
          quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
        }
      );
    },

    async postpone(tx: Queryable, id: string, dueAt: Date): Promise<void> {
      await tx.query('UPDATE case_surveys SET due_at = $2 WHERE id = $1', [id, dueAt]);
    },

    async skip(tx: Queryable, id: string, reason: string): Promise<void> {
      await tx.query('UPDATE case_surveys SET skipped = $2 WHERE id = $1', [id, reason]);
    },

    async markSent(
      tx: Queryable,
      id: string,
      s: { notificationId: string; phone: string; language: Language; at: Date },
    ): Promise<void> {
      await tx.query(
        `UPDATE case_surveys SET sent_at = $2, notification_id = $3, recipient_phone = $4, language = $5
         WHERE id = $1`,
        [id, s.at, s.notificationId, s.phone, s.language],
      );
    },

    /**
     * The newest survey texted to this phone within the reply window (`since`), unanswered ones first;
     * `caseRef` narrows it to the case the person quoted.
     */
    async askedOf(
      phoneKeys: readonly string[],
      since: Date,
      caseRef: string | undefined,
      tx: Queryable = db,
    ): Promise<AskedSurvey | undefined> {
      const { rows } = await tx.query<{
        id: string;
        case_id: string;
        guardian_id: string | null;
        asked_at: Date;
        answered: boolean;
      }>(
        `SELECT s.id, s.case_id, s.guardian_id, n.created_at AS asked_at, s.score IS NOT NULL AS answered
         FROM case_surveys s JOIN notifications n ON n.id = s.notification_id
         WHERE ${phoneDigitsSql('s.recipient_phone')} = ANY($1) AND s.sent_at IS NOT NULL AND s.sent_at > $2
           AND ($3::text IS NULL OR upper(left(replace(s.case_id, '-', ''), 8)) = $3)
         ORDER BY s.score IS NULL DESC, n.created_at DESC, s.id DESC LIMIT 1`,
        [phoneKeys, since, caseRef ?? null],
      );
      const r = rows[0];
      return (
        r && {
          id: r.id,
          caseId: r.case_id,
          guardianId: r.guardian_id,
          askedAt: new Date(r.asked_at),
          answered: Boolean(r.answered),
        }
      );
    },

    /**
     * Stores the first valid answer; false when the survey already had one (then the late answer is
     * only counted). Keeps cases.satisfaction — what the Grafana dashboards read — at the rounded mean of
     * the case's scores.
     */
    async answer(tx: Queryable, id: string, score: number, raw: string, at: Date): Promise<boolean> {
      const r = await tx.query<{ case_id: string }>(
        `UPDATE case_surveys SET score = $2, raw_reply = $3, replied_at = $4
         WHERE id = $1 AND score IS NULL RETURNING case_id`,
        [id, score, raw.slice(0, 1000), at],
      );
      const caseId = r.rows[0]?.case_id;
      if (!caseId) {
        await tx.query('UPDATE case_surveys SET late_replies = late_replies + 1 WHERE id = $1', [id]);
        return false;
      }
      await tx.query(
        `UPDATE cases SET satisfaction = (SELECT round(avg(score))::smallint FROM case_surveys
                                          WHERE case_id = $1 AND score IS NOT NULL)
         WHERE id = $1`,
        [caseId],
      );
      return true;
    },

    async countHelp(tx: Queryable, id: string): Promise<void> {
      await tx.query('UPDATE case_surveys SET help_replies = help_replies + 1 WHERE id = $1', [id]);
    },

    async ofCase(caseId: string): Promise<Survey[]> {
      const { rows } = await db.query<SurveyRow>(
        `SELECT id, case_id, guardian_id, language, due_at, sent_at, notification_id, skipped, score,
                replied_at, raw_reply, late_replies, help_replies
         FROM case_surveys WHERE case_id = $1 ORDER BY created_at, id`,
        [caseId],
      );
      return rows.map(toSurvey);
    },

    async addComplaint(
      tx: Queryable,
      c: {
        caseId: string;
        source: ComplaintSource;
        surveyId?: string | null;
        guardianId?: string | null;
        score?: number | null;
        text?: string | null;
        recordedBy?: string | null;
        at: Date;
      },
    ): Promise<Complaint> {
      const { rows } = await tx.query<ComplaintRow>(
        `INSERT INTO complaints (id, case_id, source, survey_id, guardian_id, score, text, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          randomUUID(),
          c.caseId,
          c.source,
          c.surveyId ?? null,
          c.guardianId ?? null,
          c.score ?? null,
          c.text?.slice(0, 1000) ?? null,
          c.recordedBy ?? null,
          c.at,
        ],
      );
      return toComplaint(rows[0]!);
    },

    async complaintsOf(caseId: string): Promise<Complaint[]> {
      const { rows } = await db.query<ComplaintRow>(
        'SELECT * FROM complaints WHERE case_id = $1 ORDER BY created_at, seq',
        [caseId],
      );
      return rows.map(toComplaint);
    },
  };
}

export type SurveysRepository = ReturnType<typeof createSurveysRepository>;
