import type { TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';

/**
 * What a feature brings to the HTTP shell: its routes, and the shared schemas (with an `$id`) its routes
 * and other features' routes refer to with `Type.Ref`. The shell adds every feature's schemas before it
 * registers any route, so a feature never has to know who else uses its schemas.
 */
export interface HttpFeature {
  readonly schemas: readonly TSchema[];
  readonly routes: FastifyPluginAsync;
}

/** A route plugin without shared schemas, or a feature with them. */
export type HttpRoutes = FastifyPluginAsync | HttpFeature;

export const withSchemas = (schemas: readonly TSchema[], routes: FastifyPluginAsync): HttpFeature => ({
  schemas,
  routes,
});

export const isFeature = (r: HttpRoutes): r is HttpFeature => typeof r !== 'function';
