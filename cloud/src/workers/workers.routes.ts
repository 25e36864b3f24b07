import { type Static, Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { auditOf } from '../http/request-context.ts';
import type { WorkersRepository } from './workers.repository.ts';
import { CreateWorkerBody, RosterBody, Worker } from './workers.schemas.ts';

const notFound = (id: string) => new NotFoundError('CLOUD_WORKER_NOT_FOUND', `worker ${id} not found`);

/** Social workers and their roster (on-call hours), editable over the API. */
export function workersRoutes(deps: { workers: WorkersRepository }): HttpFeature {
  const { workers } = deps;
  return withSchemas([Worker], async (app) => {
    app.post<{ Body: CreateWorkerBody }>(
      '/workers',
      {
        schema: {
          tags: ['workers'],
          summary: 'Register a social worker of a station, with skills, home base and roster',
          body: CreateWorkerBody,
          response: {
            201: Type.Ref('Worker'),
            ...errors([409, 'CLOUD_STATION_NOT_FOUND'], 'CLOUD_WORKER_EXISTS'),
          },
        },
      },
      async (req, reply) => {
        const audit = auditOf(req);
        const w = await audit
          .transaction(async (tx) => {
            const created = await workers.create(tx, req.body);
            if (!created)
              throw new ConflictError('CLOUD_WORKER_EXISTS', `worker ${req.body.id} already exists`);
            audit.set({ targetId: created.id, targetStationId: created.stationId });
            return created;
          }, 201)
          .catch((err: unknown) => {
            if ((err as { code?: string }).code === '23503') {
              throw new ConflictError('CLOUD_STATION_NOT_FOUND', `station ${req.body.stationId} not found`);
            }
            throw err;
          });
        return reply.code(201).send(w);
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/workers/:id',
      {
        schema: {
          tags: ['workers'],
          summary: 'One worker with their roster',
          params: IdParams,
          response: { 200: Type.Ref('Worker'), ...errors('CLOUD_WORKER_NOT_FOUND') },
        },
      },
      async (req) => {
        const w = await workers.get(req.params.id);
        if (!w) throw notFound(req.params.id);
        return w;
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/stations/:id/workers',
      {
        schema: {
          tags: ['workers'],
          summary: "A station's workers",
          params: IdParams,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Worker')) }),
            ...errors([404, 'CLOUD_STATION_NOT_FOUND']),
          },
        },
      },
      async (req) => ({ items: await workers.listByStation(req.params.id) }),
    );

    app.put<{ Params: Static<typeof IdParams>; Body: RosterBody }>(
      '/workers/:id/shifts',
      {
        schema: {
          tags: ['workers'],
          summary: "Replace a worker's on-call hours (weekly, in the configured time zone)",
          params: IdParams,
          body: RosterBody,
          response: { 200: Type.Ref('Worker'), ...errors('CLOUD_WORKER_NOT_FOUND') },
        },
      },
      async (req) => {
        const w = await auditOf(req).transaction(async (tx) =>
          (await workers.setShifts(tx, req.params.id, req.body.shifts))
            ? workers.get(req.params.id, tx)
            : undefined,
        );
        if (!w) throw notFound(req.params.id);
        return w;
      },
    );
  });
}
