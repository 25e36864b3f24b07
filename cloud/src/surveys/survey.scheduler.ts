import { appendTimeline } from '../cases/case-timeline.ts';
import type { CaseTransition, TransitionHook } from '../cases/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import type { NotificationsRepository } from '../notify/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import { quietUntil } from '../workers/roster.ts';
import type { SurveyConfig } from './survey.config.ts';
import type { SurveyMetrics } from './survey.metrics.ts';
import { renderSurveyPrompt } from './survey.templates.ts';
import type { SurveysRepository } from './surveys.repository.ts';

/**
 * Which finished cases get a survey. `closed`: yes, the response ran its course. `false_alarm`: only
 * when a worker reached the home (there was a visit to rate); a false alarm called off from afar asks
 * nobody anything. `cancelled` (the guardian or the desk called it off): no. `resolved`: not yet — the
 * survey goes when the duty desk closes it. Test cases never reach a person.
 */
export function deservesSurvey(t: Pick<CaseTransition, 'to' | 'case'>): boolean {
  if (t.case.test) return false;
  if (t.to === 'closed') return true;
  return t.to === 'false_alarm' && t.case.onSiteAt !== null;
}

/**
 * Surveys as durable timers. Closing a case writes one `case_surveys` row per guardian (in the closing
 * transaction, via the cases service's transition hook) due `delayS` later, pushed past the guardian's
 * quiet hours. The job runner (jobs/job-runner.ts, job `surveys`) calls `runDue` on every replica; a due row is claimed with SKIP LOCKED,
 * quiet hours are checked again (they may have changed), and the survey text is written as a pending
 * notification in the same transaction that marks the row sent — once, whatever crashes in between.
 */
export function createSurveyScheduler(deps: {
  db: Db;
  surveys: SurveysRepository;
  residents: ResidentsRepository;
  notifications: NotificationsRepository;
  channel: string;
  config: SurveyConfig;
  timeZone: string;
  clock: Clock;
  metrics: SurveyMetrics;
  log: Logger;
  /** A survey falls due at this time: wake the job runner. */
  onTimerCreated?: (dueAt: Date) => void;
}) {
  const { surveys, residents, config, timeZone } = deps;
  const log = deps.log.child({ component: 'surveys' });

  const onTransition: TransitionHook = async (tx, t) => {
    if (!config.enabled || !deservesSurvey(t)) return [];
    const at = new Date(t.at.getTime() + config.delayS * 1000);
    for (const g of await residents.guardians(t.case.residentId, tx)) {
      const dueAt = quietUntil(g.quietHours, at, timeZone) ?? at;
      const created = await surveys.schedule(tx, {
        caseId: t.case.id,
        guardianId: g.id,
        phone: g.phone,
        language: g.language,
        dueAt,
      });
      if (created) {
        deps.metrics.scheduled.inc();
        deps.onTimerCreated?.(dueAt);
      }
    }
    return [];
  };

  /** Sends one claimed survey (or postpones or skips it); returns the notification to dispatch. */
  async function fire(tx: Queryable, now: Date): Promise<{ done: boolean; notificationId?: string }> {
    const s = await surveys.claimDue(tx, now);
    if (!s) return { done: true };
    if (!s.phone || !s.language || !s.guardianId) {
      await surveys.skip(tx, s.id, 'guardian_removed');
      return { done: false };
    }
    const until = quietUntil(s.quietHours, now, timeZone);
    if (until) {
      await surveys.postpone(tx, s.id, until);
      return { done: false };
    }
    const { rows } = await tx.query<{ kind: string; resident_id: string }>(
      'SELECT kind, resident_id FROM cases WHERE id = $1',
      [s.caseId],
    );
    const c = rows[0]!;
    const resident = await residents.get(c.resident_id, tx);
    const notificationId = await deps.notifications.insertPending(tx, {
      caseId: s.caseId,
      recipientPhone: s.phone,
      language: s.language,
      body: renderSurveyPrompt({
        language: s.language,
        kind: c.kind as Parameters<typeof renderSurveyPrompt>[0]['kind'],
        residentName: resident?.name ?? c.resident_id,
        caseId: s.caseId,
      }),
      channel: deps.channel,
      recipientRole: 'guardian',
      recipientId: s.guardianId,
      messageType: 'survey',
    });
    await surveys.markSent(tx, s.id, { notificationId, phone: s.phone, language: s.language, at: now });
    await appendTimeline(tx, s.caseId, 'survey_sent', { surveyId: s.id, guardianId: s.guardianId }, now);
    deps.metrics.sent.inc({ language: s.language });
    return { done: false, notificationId };
  }

  return {
    onTransition,
    /** Sends what is due by the clock (at most `max` surveys); returns the texts to dispatch. */
    async runDue(max = 100): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < max; i++) {
        const now = deps.clock.now();
        const r = await deps.db.transaction((tx) => fire(tx, now));
        if (r.done) break;
        if (r.notificationId) ids.push(r.notificationId);
      }
      if (ids.length > 0) log.info({ sent: ids.length }, 'surveys sent');
      return ids;
    },
  };
}

export type SurveyScheduler = ReturnType<typeof createSurveyScheduler>;
