export { defaultSurveyConfig, SurveyConfig, surveyEnvOverrides } from './survey.config.ts';
export { createSurveyMetrics, type SurveyMetrics } from './survey.metrics.ts';
export { createSurveyReplyTarget } from './survey.reply-target.ts';
export { createSurveyScheduler, deservesSurvey, type SurveyScheduler } from './survey.scheduler.ts';
export { renderSurveyAnswer, renderSurveyPrompt } from './survey.templates.ts';
export { parseSurveyReply } from './survey-reply.parser.ts';
export { createSurveysRepository, type SurveysRepository } from './surveys.repository.ts';
export { surveysRoutes } from './surveys.routes.ts';
export { Complaint, CreateComplaintBody, Survey } from './surveys.schemas.ts';
