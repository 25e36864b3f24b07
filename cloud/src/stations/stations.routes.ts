import { type Static, Type } from '@sinclair/typebox';
import { stationScope } from '../auth/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import type { StationsRepository } from './stations.repository.ts';
import { CreateStationBody, Station } from './stations.schemas.ts';

export function stationsRoutes(deps: { stations: StationsRepository }): HttpFeature {
  const { stations } = deps;
  return withSchemas([Station], async (app) => {
    app.post<{ Body: CreateStationBody }>(
      '/stations',
      {
        schema: {
          tags: ['stations'],
          summary: 'Register a street station (tenant) and its supervisor',
          body: CreateStationBody,
          response: { 201: Type.Ref('Station'), ...errors('CLOUD_STATION_EXISTS') },
        },
      },
      async (req, reply) => {
        const audit = auditOf(req);
        const s = await audit.transaction(async (tx) => {
          const created = await stations.create(req.body, tx);
          if (!created)
            throw new ConflictError('CLOUD_STATION_EXISTS', `station ${req.body.id} already exists`);
          audit.set({ targetId: created.id, targetStationId: created.id });
          return created;
        }, 201);
        return reply.code(201).send(s);
      },
    );

    app.get(
      '/stations',
      {
        schema: {
          tags: ['stations'],
          summary: 'All stations (a station user: their own)',
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('Station')) }), ...errors(401) },
        },
      },
      async (req) => {
        const only = stationScope(principalOf(req));
        return { items: (await stations.list()).filter((s) => only === undefined || s.id === only) };
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/stations/:id',
      {
        schema: {
          tags: ['stations'],
          summary: 'One station',
          params: IdParams,
          response: { 200: Type.Ref('Station'), ...errors([404, 'CLOUD_STATION_NOT_FOUND']) },
        },
      },
      async (req) => {
        const s = await stations.get(req.params.id);
        if (!s) throw new NotFoundError('CLOUD_STATION_NOT_FOUND', `station ${req.params.id} not found`);
        return s;
      },
    );
  });
}
