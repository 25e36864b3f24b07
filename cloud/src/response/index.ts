export { loadCaseContext } from './case-context.ts';
export { type CaseContext, type CaseNotices, createCaseNotices } from './case-notices.ts';
export { type AssignResult, createWorkerChooser, type WorkerChooser } from './choose-worker.ts';
export { createEscalation, type Escalation, type Firing } from './escalate.ts';
export { createFirstResponseQueue, type FirstResponseQueue } from './first-response.queue.ts';
export { createFirstResponse, type FirstResponse } from './first-response.ts';
export { haversineKm } from './geo.ts';
export { escalationTimersJob, overdueResponsesJob } from './response.jobs.ts';
export { type Candidate, type Ranked, rankWorkers } from './worker-ranking.ts';
