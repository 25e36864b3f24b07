export { appendTimeline, type TimelineType } from './case-timeline.ts';
export { type CasesRepository, createCasesRepository } from './cases.repository.ts';
export { casesRoutes } from './cases.routes.ts';
export * from './cases.schemas.ts';
export { type CasesService, createCasesService, type RecordOutcome } from './cases.service.ts';
