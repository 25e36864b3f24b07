export { supervisedDevices } from './supervised-devices.ts';
export { type SupervisionConfig, SupervisionConfigSchema } from './supervision.config.ts';
export { type Supervision, type SupervisionSummary, startSupervision } from './supervisor.ts';
