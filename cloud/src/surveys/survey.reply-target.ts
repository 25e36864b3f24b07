import { appendTimeline } from '../cases/case-timeline.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { phoneKeys } from '../notify/inbound/phone-match.ts';
import type { InboundResult, ReplyTarget } from '../notify/inbound/reply-target.ts';
import { maskPhone } from '../notify/index.ts';
import type { SurveyConfig } from './survey.config.ts';
import type { SurveyMetrics } from './survey.metrics.ts';
import { renderSurveyAnswer } from './survey.templates.ts';
import { parseSurveyReply } from './survey-reply.parser.ts';
import type { SurveysRepository } from './surveys.repository.ts';

/** Scores at or below this are complaints too. */
export const COMPLAINT_SCORE = 2;

/**
 * Replies to surveys (a ReplyTarget for the inbound SMS router). A survey is open to answers for
 * `replyWindowH` after it went out. The FIRST valid score counts; a later one is ignored and counted
 * (`late_replies`), and the person is told their first rating stands — a score is not an opinion poll
 * that may be flipped back and forth, and the quality figures should not move under the station's feet.
 * A score ≤ 2 is also a complaint; words are a complaint (even after a score); anything else is answered
 * with a bilingual help text and counted (`help_replies`).
 */
export function createSurveyReplyTarget(deps: {
  db: Db;
  surveys: SurveysRepository;
  config: Pick<SurveyConfig, 'replyWindowH'>;
  clock: Clock;
  metrics: SurveyMetrics;
}): ReplyTarget {
  const { db, surveys, clock, metrics } = deps;
  const since = () => new Date(clock.now().getTime() - deps.config.replyWindowH * 3_600_000);

  return {
    name: 'survey',

    async lastAsked({ phoneKeys, caseRef }) {
      const s = await surveys.askedOf(phoneKeys, since(), caseRef);
      return s && { at: s.askedAt, open: !s.answered };
    },

    understands: (text) => parseSurveyReply(text).kind === 'score',

    async answer(t): Promise<InboundResult> {
      const reply = parseSurveyReply(t.body);
      const now = clock.now();
      const result = await db.transaction(async (tx): Promise<InboundResult> => {
        const s = await surveys.askedOf(phoneKeys(t.fromPhone), since(), t.caseRef, tx);
        if (!s) return { outcome: 'survey_help' }; // the window closed between routing and now
        const complaint = (source: 'low_score' | 'survey_text', fields: { score?: number; text?: string }) =>
          surveys
            .addComplaint(tx, {
              caseId: s.caseId,
              source,
              surveyId: s.id,
              guardianId: s.guardianId,
              ...fields,
              at: now,
            })
            .then(async (c) => {
              await appendTimeline(tx, s.caseId, 'complaint', { complaintId: c.id, source }, now);
              metrics.complaints.inc({ source });
            });

        if (reply.kind === 'score') {
          if (!(await surveys.answer(tx, s.id, reply.score, t.body, now))) {
            return {
              outcome: 'survey_late',
              caseId: s.caseId,
              reply: renderSurveyAnswer(t.language, { kind: 'late' }),
            };
          }
          await appendTimeline(
            tx,
            s.caseId,
            'survey_answered',
            { surveyId: s.id, guardianId: s.guardianId, score: reply.score, from: maskPhone(t.fromPhone) },
            now,
          );
          const low = reply.score <= COMPLAINT_SCORE;
          if (low) await complaint('low_score', { score: reply.score });
          return {
            outcome: 'survey_score',
            caseId: s.caseId,
            reply: renderSurveyAnswer(t.language, { kind: 'scored', score: reply.score, complaint: low }),
          };
        }
        if (reply.kind === 'words') {
          await complaint('survey_text', { text: reply.text });
          return {
            outcome: 'complaint',
            caseId: s.caseId,
            reply: renderSurveyAnswer(t.language, { kind: 'complaint' }),
          };
        }
        await surveys.countHelp(tx, s.id);
        return {
          outcome: 'survey_help',
          caseId: s.caseId,
          reply: renderSurveyAnswer(t.language, { kind: 'help' }),
        };
      });
      metrics.replies.inc({ outcome: OUTCOME[result.outcome] ?? 'help' });
      return result;
    },
  };
}

const OUTCOME: Partial<Record<InboundResult['outcome'], string>> = {
  survey_score: 'score',
  survey_late: 'late',
  complaint: 'complaint',
  survey_help: 'help',
};
