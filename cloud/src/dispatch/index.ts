export { type Candidate, type Ranked, rankWorkers } from './dispatch-ranking.ts';
export { type AssignResult, type CaseDispatcher, createCaseDispatcher } from './dispatcher.ts';
export { haversineKm } from './geo.ts';
