export { createGatewaySilenceJob, type GatewaySilenceJob } from './gateway-silence.job.ts';
export {
  createGatewaySilenceRepository,
  type GatewaySilenceRepository,
} from './gateway-silence.repository.ts';
export { maintenanceRoutes } from './maintenance.routes.ts';
export {
  type ResolvedSupervision,
  resolveSupervision,
  SupervisionConfig,
  supervisionEnvOverrides,
} from './supervision.config.ts';
