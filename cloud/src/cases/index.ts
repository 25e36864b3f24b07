export { loadCaseContext } from './case-context.ts';
export {
  type CaseContext,
  type CaseNotices,
  createCaseNotices,
  type Queued,
  sendable,
} from './case-notices.ts';
export * from './case-state-machine.ts';
export { appendTimeline, type TimelineType } from './case-timeline.ts';
export { ACTIVE, type CasesRepository, createCasesRepository } from './cases.repository.ts';
export { casesRoutes } from './cases.routes.ts';
export * from './cases.schemas.ts';
export { type CasesService, createCasesService, type RecordOutcome } from './cases.service.ts';
export { GuardianCase, guardianCasesRoutes } from './guardian-cases.routes.ts';
export {
  createServiceQualityRepository,
  type ServiceQualityRepository,
} from './service-quality.repository.ts';
export { serviceQualityRoutes } from './service-quality.routes.ts';
export type { CaseTransition, TransitionHook } from './transition-hooks.ts';
