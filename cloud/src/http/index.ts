export { type AccessControlOptions, installAccessControl } from './access-control.ts';
export { auditRoutes } from './audit.routes.ts';
export { healthRoutes } from './health.routes.ts';
export { ErrorResponse, errors, IdParams } from './http.schemas.ts';
export { type HttpFeature, type HttpRoutes, withSchemas } from './http-feature.ts';
export { buildHttpServer, type HttpServerOptions, openRoute } from './http-server.ts';
export { auditOf, principalOf } from './request-context.ts';
export { basicCredentials, findUnstorableInRequest, installTextBoundary } from './text-boundary.ts';
