export { createResidentsRepository, type ResidentsRepository } from './residents.repository.ts';
export { residentsRoutes } from './residents.routes.ts';
export * from './residents.schemas.ts';
