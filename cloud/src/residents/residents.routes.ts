import { type Static, Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { auditOf } from '../http/request-context.ts';
import type { ResidentsRepository } from './residents.repository.ts';
import {
  CreateGuardianBody,
  CreateResidentBody,
  Guardian,
  Resident,
  UpdateResidentBody,
} from './residents.schemas.ts';

/** A stationId that names no station (foreign key violation, SQLSTATE 23503) is the caller's mistake. */
function unknownStation(err: unknown): never {
  if ((err as { code?: string }).code === '23503') {
    throw new ConflictError('CLOUD_STATION_NOT_FOUND', 'stationId names no station; create it first');
  }
  throw err;
}

const notFound = (id: string) => new NotFoundError('CLOUD_RESIDENT_NOT_FOUND', `resident ${id} not found`);

export function residentsRoutes(deps: { residents: ResidentsRepository }): HttpFeature {
  const { residents } = deps;
  return withSchemas([Resident, Guardian], async (app) => {
    app.post<{ Body: CreateResidentBody }>(
      '/residents',
      {
        schema: {
          tags: ['residents'],
          summary: 'Register a resident (an elder living alone)',
          body: CreateResidentBody,
          response: { 201: Type.Ref('Resident'), ...errors([409, 'CLOUD_STATION_NOT_FOUND']) },
        },
      },
      async (req, reply) => {
        const audit = auditOf(req);
        const r = await audit
          .transaction(async (tx) => {
            const created = await residents.create(req.body, tx);
            audit.set({ targetId: created.id, residentId: created.id, targetStationId: created.stationId });
            return created;
          }, 201)
          .catch(unknownStation);
        return reply.code(201).send(r);
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/residents/:id',
      {
        schema: {
          tags: ['residents'],
          summary: 'One resident',
          params: IdParams,
          response: { 200: Type.Ref('Resident'), ...errors('CLOUD_RESIDENT_NOT_FOUND') },
        },
      },
      async (req) => {
        const r = await residents.get(req.params.id);
        if (!r) throw notFound(req.params.id);
        return r;
      },
    );

    app.patch<{ Params: Static<typeof IdParams>; Body: UpdateResidentBody }>(
      '/residents/:id',
      {
        schema: {
          tags: ['residents'],
          summary: "Change a resident's address, station, geo point, conditions or consent",
          params: IdParams,
          body: UpdateResidentBody,
          response: {
            200: Type.Ref('Resident'),
            ...errors('CLOUD_RESIDENT_NOT_FOUND', [409, 'CLOUD_STATION_NOT_FOUND']),
          },
        },
      },
      async (req) => {
        const r = await auditOf(req)
          .transaction((tx) => residents.update(req.params.id, req.body, tx))
          .catch(unknownStation);
        if (!r) throw notFound(req.params.id);
        return r;
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: CreateGuardianBody }>(
      '/residents/:id/guardians',
      {
        schema: {
          tags: ['residents'],
          summary: "Add a guardian who is texted when one of the resident's cases opens",
          params: IdParams,
          body: CreateGuardianBody,
          response: { 201: Type.Ref('Guardian'), ...errors('CLOUD_RESIDENT_NOT_FOUND') },
        },
      },
      async (req, reply) => {
        if (!(await residents.exists(req.params.id))) throw notFound(req.params.id);
        const audit = auditOf(req);
        const g = await audit.transaction(async (tx) => {
          const added = await residents.addGuardian(req.params.id, req.body, tx);
          audit.set({ targetId: added.id });
          return added;
        }, 201);
        return reply.code(201).send(g);
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/residents/:id/guardians',
      {
        schema: {
          tags: ['residents'],
          summary: "The resident's guardians",
          params: IdParams,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Guardian')) }),
            ...errors('CLOUD_RESIDENT_NOT_FOUND'),
          },
        },
      },
      async (req) => {
        if (!(await residents.exists(req.params.id))) throw notFound(req.params.id);
        return { items: await residents.guardians(req.params.id) };
      },
    );
  });
}
