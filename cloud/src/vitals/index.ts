export { createVitalsLimitsSender, type VitalsLimitsSender } from './vitals-limits.command.ts';
export {
  createVitalsLimitsRepository,
  type StoredVitalsLimits,
  type VitalsLimitsRepository,
} from './vitals-limits.repository.ts';
export { vitalsLimitsRoutes } from './vitals-limits.routes.ts';
