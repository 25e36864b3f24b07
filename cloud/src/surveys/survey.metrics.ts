import type { MetricsRegistry } from '../metrics/metrics.registry.ts';

/** The surveys' series, on the cloud's registry (shown on /metrics). */
export function createSurveyMetrics(registry: MetricsRegistry) {
  return {
    scheduled: registry.counter('anju_surveys_scheduled_total', 'Surveys scheduled when a case finished'),
    sent: registry.counter('anju_surveys_sent_total', 'Survey texts queued for sending, by language', [
      'language',
    ]),
    replies: registry.counter(
      'anju_survey_replies_total',
      'Replies to surveys, by outcome (score, late, complaint, help = not understood)',
      ['outcome'],
    ),
    complaints: registry.counter(
      'anju_complaints_total',
      'Complaints recorded, by source (low_score, survey_text, duty_desk)',
      ['source'],
    ),
  };
}

export type SurveyMetrics = ReturnType<typeof createSurveyMetrics>;
