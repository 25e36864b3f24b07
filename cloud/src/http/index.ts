export { bearerAuth } from './api-auth.ts';
export { healthRoutes } from './health.routes.ts';
export { ErrorResponse, errors, IdParams } from './http.schemas.ts';
export { buildHttpServer, type HttpServerOptions, openRoute } from './http-server.ts';
