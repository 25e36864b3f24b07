import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../http/http.schemas.ts';
import type { ServiceQualityRepository } from './service-quality.repository.ts';

const Query = Type.Object(
  {
    stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'cases opened at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'cases opened before' })),
  },
  { additionalProperties: false },
);
const Seconds = Type.Union([Type.Number(), Type.Null()]);
const Figures = {
  cases: Type.Integer(),
  acknowledged: Type.Integer(),
  ackMeanS: Seconds,
  ackP90S: Seconds,
  onSite: Type.Integer(),
  onSiteMeanS: Seconds,
  onSiteP90S: Seconds,
  resolved: Type.Integer({ description: 'resolved or closed' }),
  falseAlarms: Type.Integer(),
  resolveMeanS: Seconds,
};
const example = {
  cases: 12,
  acknowledged: 11,
  ackMeanS: 95.2,
  ackP90S: 170,
  onSite: 10,
  onSiteMeanS: 900.5,
  onSiteP90S: 1500,
  resolved: 9,
  falseAlarms: 2,
  resolveMeanS: 2400,
};
const WorkerQuality = Type.Object({ workerId: Type.String(), stationId: Type.String(), ...Figures });
const StationQuality = Type.Object({ stationId: Type.String(), ...Figures });

export function serviceQualityRoutes(deps: { quality: ServiceQualityRepository }): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Static<typeof Query> }>(
      '/quality/workers',
      {
        schema: {
          tags: ['quality'],
          summary:
            'Service quality per worker: time to acknowledge and to on site (from opening), resolution',
          querystring: Query,
          response: {
            200: Type.Object(
              { items: Type.Array(WorkerQuality) },
              { examples: [{ items: [{ workerId: 'w-zhang', stationId: 'jingan', ...example }] }] },
            ),
            ...errors(400, 401),
          },
        },
      },
      async (req) => ({ items: await deps.quality.byWorker(req.query) }),
    );
    app.get<{ Querystring: Static<typeof Query> }>(
      '/quality/stations',
      {
        schema: {
          tags: ['quality'],
          summary: 'Service quality per station',
          querystring: Query,
          response: {
            200: Type.Object(
              { items: Type.Array(StationQuality) },
              { examples: [{ items: [{ stationId: 'jingan', ...example }] }] },
            ),
            ...errors(400, 401),
          },
        },
      },
      async (req) => ({ items: await deps.quality.byStation(req.query) }),
    );
  };
}
