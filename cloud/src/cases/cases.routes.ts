import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import type { NotificationsRepository } from '../notify/index.ts';
import type { CasesRepository } from './cases.repository.ts';
import { AckBody, ListCasesQuery } from './cases.schemas.ts';
import type { CasesService } from './cases.service.ts';

export function casesRoutes(deps: {
  cases: CasesRepository;
  service: CasesService;
  notifications: NotificationsRepository;
  /** Called after a case is acknowledged (tells the gateway); failures are the callee's to log. */
  onAcknowledged?: (caseId: string) => void;
}): FastifyPluginAsync {
  const { cases, service, notifications } = deps;
  return async (app) => {
    app.get<{ Querystring: ListCasesQuery }>(
      '/cases',
      {
        schema: {
          tags: ['cases'],
          summary: 'Cases, newest first, filtered by resident, status and kind',
          querystring: ListCasesQuery,
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('Case')) }), ...errors(400, 401) },
        },
      },
      async (req) => ({ items: await cases.list(req.query) }),
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/cases/:id',
      {
        schema: {
          tags: ['cases'],
          summary: 'A case with its events, timeline and notifications',
          params: IdParams,
          response: { 200: Type.Ref('CaseDetail'), ...errors(401, 404) },
        },
      },
      async (req) => {
        const c = await cases.get(req.params.id);
        if (!c) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${req.params.id} not found`);
        const [events, timeline, sent] = await Promise.all([
          cases.events(c.id),
          cases.timeline(c.id),
          notifications.list({ caseId: c.id, limit: 500 }),
        ]);
        return { ...c, events, timeline, notifications: sent };
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: AckBody }>(
      '/cases/:id/ack',
      {
        schema: {
          tags: ['cases'],
          summary: 'Acknowledge an open case (someone is handling it)',
          params: IdParams,
          body: AckBody,
          response: { 200: Type.Ref('Case'), ...errors(400, 401, 404, 409) },
        },
      },
      async (req) => {
        const acked = await service.acknowledge(req.params.id, req.body.by);
        req.log.info({ caseId: acked.id }, 'case acknowledged');
        deps.onAcknowledged?.(acked.id);
        return acked;
      },
    );
  };
}
