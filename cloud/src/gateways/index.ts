export { createGatewaysRepository, type GatewaysRepository } from './gateways.repository.ts';
export { gatewaysRoutes } from './gateways.routes.ts';
export * from './gateways.schemas.ts';
