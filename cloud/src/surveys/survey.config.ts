import { type Static, Type } from '@sinclair/typebox';

/** The `survey` block: satisfaction surveys texted to guardians after a case is finished. */
export const SurveyConfig = Type.Object(
  {
    enabled: Type.Boolean({ description: 'text guardians a 1-5 survey after a case is finished' }),
    // Not at once: the worker may still be on the doorstep; and never inside quiet hours (it is not urgent).
    delayS: Type.Integer({
      minimum: 0,
      maximum: 7 * 86_400,
      description:
        'seconds from closing to the survey text, before quiet hours are applied (env ANJU_SURVEY_DELAY_S)',
    }),
    replyWindowH: Type.Integer({
      minimum: 1,
      maximum: 30 * 24,
      description: 'hours after sending in which a reply still counts as an answer to the survey',
    }),
  },
  { additionalProperties: false },
);
export type SurveyConfig = Static<typeof SurveyConfig>;

export const defaultSurveyConfig: SurveyConfig = { enabled: true, delayS: 600, replyWindowH: 72 };

export const surveyEnvOverrides = {
  ANJU_SURVEY_DELAY_S: { key: 'survey.delayS', type: 'integer' },
} as const;
