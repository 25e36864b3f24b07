export {
  addSeconds,
  type Deadlines,
  DeadlinesSchema,
  type DeadlinesTable,
  deadlinesFor,
} from './case-deadlines.ts';
export * from './case-state-machine.ts';
export { appendTimeline, appendTimelineAfter, caseTimeline, type TimelineType } from './case-timeline.ts';
export {
  createTimersRepository,
  type Timer,
  type TimerKind,
  type TimerOutcome,
  type TimersRepository,
} from './case-timers.repository.ts';
export { ACTIVE, type CasesRepository, createCasesRepository } from './cases.repository.ts';
export { casesRoutes } from './cases.routes.ts';
export * from './cases.schemas.ts';
export {
  type AssignNextWorker,
  type CasesService,
  createCasesService,
  type RecordOutcome,
} from './cases.service.ts';
export { GuardianCase, guardianCasesRoutes } from './guardian-cases.routes.ts';
export {
  createServiceQualityRepository,
  type ServiceQualityRepository,
} from './service-quality.repository.ts';
export { serviceQualityRoutes } from './service-quality.routes.ts';
export type { CaseTransition, TransitionHook } from './transition-hooks.ts';
