import { type Static, Type } from '@sinclair/typebox';
import { assertActsAsSelf, stationScope } from '../auth/index.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import type { NotificationsRepository } from '../notify/index.ts';
import type { CasesRepository } from './cases.repository.ts';
import { AckBody, CaseDetail, Case as CaseSchema, ListCasesQuery, TransitionBody } from './cases.schemas.ts';
import type { CasesService } from './cases.service.ts';

export function casesRoutes(deps: {
  cases: CasesRepository;
  service: CasesService;
  notifications: NotificationsRepository;
  /** Called after a case is acknowledged (tells the gateway); failures are the callee's to log. */
  onAcknowledged?: (caseId: string) => void;
  /** Texts a transition queued (dispatch to the next worker), to send after the commit. */
  onNotifications?: (ids: string[]) => void;
}): HttpFeature {
  const { cases, service, notifications } = deps;
  return withSchemas([CaseSchema, CaseDetail], async (app) => {
    app.get<{ Querystring: ListCasesQuery }>(
      '/cases',
      {
        schema: {
          tags: ['cases'],
          summary: 'Cases, newest first, filtered by resident, status and kind',
          description: "A station's people see the cases of the residents registered with their station.",
          querystring: ListCasesQuery,
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('Case')) }) },
        },
      },
      async (req) => {
        const items = await cases.list(req.query, { stationId: stationScope(principalOf(req)) });
        auditOf(req).set({ detail: { count: items.length } });
        return { items };
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/cases/:id',
      {
        schema: {
          tags: ['cases'],
          summary: 'A case with its events, timeline and notifications',
          params: IdParams,
          response: { 200: Type.Ref('CaseDetail'), ...errors('CLOUD_CASE_NOT_FOUND') },
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
          response: {
            200: Type.Ref('Case'),
            ...errors('CLOUD_CASE_NOT_FOUND', 'CLOUD_CASE_NOT_OPEN', 'CLOUD_CASE_NOT_ASSIGNEE'),
          },
        },
      },
      async (req) => {
        const p = principalOf(req);
        // A person acknowledges as themselves (a worker by their worker id); admins may name anyone.
        if (p.role !== 'admin' && req.body.by !== p.sub) {
          throw new UserError(
            'CLOUD_AUTH_ACTOR_MISMATCH',
            `a ${p.role} token acknowledges as ${p.sub}, not as ${req.body.by}`,
            403,
          );
        }
        const audit = auditOf(req);
        const acked = await service.acknowledge(req.params.id, req.body.by, (tx) => audit.writeIn(tx));
        req.log.info({ caseId: acked.id }, 'case acknowledged');
        deps.onAcknowledged?.(acked.id);
        return acked;
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: TransitionBody }>(
      '/cases/:id/transitions',
      {
        schema: {
          tags: ['cases'],
          summary: 'Move a case one step through its lifecycle, as a named actor',
          description:
            'open → assigned → acknowledged → en_route → on_site → resolved → closed, or cancelled / false_alarm. ' +
            'A worker may only move a case assigned to them. Illegal steps answer 409 with code ' +
            'CLOUD_CASE_TRANSITION_ILLEGAL, CLOUD_CASE_ACTOR_NOT_ALLOWED, CLOUD_CASE_NOT_ASSIGNEE or CLOUD_CASE_NO_WORKER. ' +
            'A person acts as themselves: a worker token as { type: worker, id: <sub> }, a desk or supervisor token as ' +
            '{ type: duty_desk, id: <sub> } (403 CLOUD_AUTH_ACTOR_MISMATCH otherwise); the service token may name anyone.',
          params: IdParams,
          body: TransitionBody,
          response: {
            200: Type.Ref('Case'),
            ...errors(
              'CLOUD_CASE_NOT_FOUND',
              'CLOUD_WORKER_NOT_FOUND',
              'CLOUD_CASE_TRANSITION_ILLEGAL',
              'CLOUD_CASE_ACTOR_NOT_ALLOWED',
              'CLOUD_CASE_NOT_ASSIGNEE',
              'CLOUD_CASE_NO_WORKER',
            ),
          },
        },
      },
      async (req) => {
        const { to, actor, note } = req.body;
        assertActsAsSelf(principalOf(req), actor);
        const audit = auditOf(req);
        audit.set({ detail: { to } });
        const r = await service.transition(req.params.id, to, actor, note, (tx) => audit.writeIn(tx));
        req.log.child({ caseId: r.case.id }).info({ to, actor: actor.type }, 'case moved');
        if (r.notificationIds.length > 0) deps.onNotifications?.(r.notificationIds);
        if (to === 'acknowledged') deps.onAcknowledged?.(r.case.id);
        return r.case;
      },
    );
  });
}
