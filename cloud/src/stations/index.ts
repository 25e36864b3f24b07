export { createStationsRepository, type StationsRepository } from './stations.repository.ts';
export { stationsRoutes } from './stations.routes.ts';
export * from './stations.schemas.ts';
