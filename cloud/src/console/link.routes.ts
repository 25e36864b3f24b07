import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createAuditRepository } from '../audit/audit.repository.ts';
import { RequestAudit } from '../audit/request-audit.ts';
import type { Principal } from '../auth/index.ts';
import { type TargetState, TERMINAL_STATES } from '../cases/case-state-machine.ts';
import { appendTimeline } from '../cases/case-timeline.ts';
import type { CasesRepository, CasesService } from '../cases/index.ts';
import type { Db } from '../db/index.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { errors } from '../http/http.schemas.ts';
import { openRoute } from '../http/http-server.ts';
import { shareableAddress } from '../notify/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import { type LinkClaims, LinkError, type LinkSigner } from './signed-link.ts';

export const LINK_HEADER = 'x-anju-link';

const Time = Type.String({ format: 'date-time' });
const TimeOrNull = Type.Union([Time, Type.Null()]);

/** What a texted link shows: a worker sees what the visit needs; a guardian, how far the response got. */
export const LinkView = Type.Object(
  {
    role: Type.Union([Type.Literal('worker'), Type.Literal('guardian')]),
    expiresAt: Time,
    case: Type.Object({
      id: Type.String(),
      kind: Type.String(),
      severity: Type.String(),
      status: Type.String(),
      openedAt: Time,
      acknowledgedAt: TimeOrNull,
      enRouteAt: TimeOrNull,
      onSiteAt: TimeOrNull,
      resolvedAt: TimeOrNull,
      closedAt: TimeOrNull,
      assignee: Type.Union([Type.String(), Type.Null()], { description: 'workers only' }),
      resolution: Type.Union([Type.String(), Type.Null()], { description: 'workers only' }),
    }),
    resident: Type.Object({
      name: Type.String(),
      address: Type.Union([Type.String(), Type.Null()], {
        description: 'workers only, and only when the resident consented (shareAddressWithWorkers)',
      }),
      lat: Type.Union([Type.Number(), Type.Null()]),
      lon: Type.Union([Type.Number(), Type.Null()]),
      addressWithheld: Type.Boolean({
        description: 'the resident refused to share the address with workers',
      }),
    }),
    notes: Type.Array(Type.Object({ at: Time, text: Type.String() }), { description: 'workers only' }),
    actions: Type.Array(Type.String(), { description: 'what this link may do now' }),
  },
  {
    examples: [
      {
        role: 'worker',
        expiresAt: '2024-05-06T23:00:00.000Z',
        case: {
          id: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
          kind: 'fall',
          severity: 'urgent',
          status: 'assigned',
          openedAt: '2024-05-06T19:00:00.000Z',
          acknowledgedAt: null,
          enRouteAt: null,
          onSiteAt: null,
          resolvedAt: null,
          closedAt: null,
          assignee: '张社工',
          resolution: null,
        },
        resident: {
          name: '李奶奶',
          address: '静安区南京西路1号 3-201',
          lat: 31.22,
          lon: 121.45,
          addressWithheld: false,
        },
        notes: [],
        actions: ['acknowledged', 'note'],
      },
    ],
  },
);

const LinkAction = Type.Union(
  ['acknowledged', 'en_route', 'on_site', 'resolved', 'false_alarm', 'note', 'handling'].map((a) =>
    Type.Literal(a),
  ),
  {
    description:
      'worker: acknowledged, en_route, on_site, resolved, false_alarm (the next step) or note (a visit note); ' +
      'guardian: handling ("I am handling it")',
  },
);
const ActionBody = Type.Object(
  { action: LinkAction, note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false, examples: [{ action: 'resolved', note: '已扶起，无外伤' }] },
);
type ActionBody = Static<typeof ActionBody>;

/** The worker's next one-tap steps from a state (the state machine still has the last word). */
const WORKER_NEXT: Record<string, string[]> = {
  open: ['acknowledged'],
  assigned: ['acknowledged'],
  acknowledged: ['en_route', 'on_site', 'resolved', 'false_alarm'],
  en_route: ['on_site', 'resolved', 'false_alarm'],
  on_site: ['resolved', 'false_alarm'],
};

/**
 * The pages a texted link opens, with no password: the link is the credential (signed-link.ts) and it
 * names one case and one person. Both routes are open in the permission table and check the link
 * themselves, sent in X-Anju-Link (the page reads it from the URL fragment, which never reaches a server
 * log); each request is written to the audit log with the credential `link`.
 */
export function linkRoutes(deps: {
  db: Db;
  links: LinkSigner;
  cases: CasesRepository;
  service: CasesService;
  residents: ResidentsRepository;
  onAcknowledged?: (caseId: string) => void;
  onNotifications?: (ids: string[]) => void;
}): FastifyPluginAsync {
  const { db, links, cases, service, residents } = deps;
  const auditRepo = createAuditRepository(db);

  const claimsOf = (req: FastifyRequest): LinkClaims => {
    const raw = req.headers[LINK_HEADER];
    try {
      if (typeof raw !== 'string') throw new LinkError('malformed');
      return links.verify(raw);
    } catch (err) {
      if (!(err instanceof LinkError)) throw err;
      req.log.info({ reason: err.reason }, 'case link refused');
      if (err.reason === 'expired')
        throw new UserError('CLOUD_CONSOLE_LINK_EXPIRED', 'this link has expired', 401);
      throw new UserError('CLOUD_CONSOLE_LINK_INVALID', 'this link is not valid', 401);
    }
  };

  const auditFor = (req: FastifyRequest, c: LinkClaims, stationId: string | null, action: string) => {
    const principal: Principal = {
      sub: c.subject,
      role: c.role,
      stationId: c.role === 'worker' ? stationId : null,
      guardianId: c.role === 'guardian' ? c.subject : null,
      via: 'link',
    };
    return new RequestAudit({ db, audit: auditRepo }, principal, {
      id: req.id,
      method: req.method,
      route: req.routeOptions.url ?? req.url,
      action,
      targetType: 'case',
      targetId: c.caseId,
    });
  };

  const load = async (c: LinkClaims) => {
    const k = await cases.get(c.caseId);
    if (!k || k.test) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', 'case not found');
    return k;
  };

  const view = async (c: LinkClaims) => {
    const k = await load(c);
    const r = await residents.get(k.residentId);
    const worker = c.role === 'worker';
    const terminal = (TERMINAL_STATES as readonly string[]).includes(k.status);
    const notes = worker
      ? (await cases.timeline(k.id))
          .filter((e) => e.type === 'visit_note')
          .map((e) => ({ at: e.at, text: String(e.detail.text ?? '') }))
      : [];
    const actions = worker
      ? [...(WORKER_NEXT[k.status] ?? []), 'note']
      : terminal || k.acknowledgedAt
        ? []
        : ['handling'];
    return {
      k,
      body: {
        role: c.role,
        expiresAt: new Date(c.expiresAt * 1000).toISOString(),
        case: {
          id: k.id,
          kind: k.kind,
          severity: k.severity,
          status: k.status,
          openedAt: k.openedAt,
          acknowledgedAt: k.acknowledgedAt,
          enRouteAt: k.enRouteAt,
          onSiteAt: k.onSiteAt,
          resolvedAt: k.resolvedAt,
          closedAt: k.closedAt,
          assignee: worker ? k.assignee : null,
          resolution: worker ? k.resolution : null,
        },
        resident: {
          name: r?.name ?? '',
          address: worker ? shareableAddress(r) : null,
          lat: worker && shareableAddress(r) ? (r?.lat ?? null) : null,
          lon: worker && shareableAddress(r) ? (r?.lon ?? null) : null,
          addressWithheld: r?.consent.shareAddressWithWorkers === false,
        },
        notes,
        actions,
      },
    };
  };

  return async (app) => {
    app.get(
      '/console-api/link',
      {
        schema: {
          ...openRoute,
          tags: ['console'],
          summary: 'The case a texted link opens (the link in X-Anju-Link)',
          response: {
            200: LinkView,
            ...errors('CLOUD_CONSOLE_LINK_INVALID', 'CLOUD_CONSOLE_LINK_EXPIRED', 'CLOUD_CASE_NOT_FOUND'),
          },
        },
      },
      async (req) => {
        const c = claimsOf(req);
        const { k, body } = await view(c);
        await auditFor(req, c, k.stationId, 'read').finish(200);
        return body;
      },
    );

    app.post<{ Body: ActionBody }>(
      '/console-api/link/actions',
      {
        schema: {
          ...openRoute,
          tags: ['console'],
          summary: 'Act on the case a texted link opens: the next step, a visit note, or "I am handling it"',
          body: ActionBody,
          response: {
            200: LinkView,
            ...errors(
              'CLOUD_CONSOLE_LINK_INVALID',
              'CLOUD_CONSOLE_LINK_EXPIRED',
              'CLOUD_CASE_NOT_FOUND',
              'CLOUD_CASE_TRANSITION_ILLEGAL',
              'CLOUD_CASE_ACTOR_NOT_ALLOWED',
              'CLOUD_CASE_NOT_ASSIGNEE',
              'CLOUD_CASE_NOT_OPEN',
              'CLOUD_AUTH_ROLE_FORBIDDEN',
            ),
          },
        },
      },
      async (req) => {
        const c = claimsOf(req);
        const k = await load(c);
        const { action, note } = req.body;
        const audit = auditFor(req, c, k.stationId, action === 'note' ? 'create' : 'transition');
        audit.set({ detail: { action }, targetStationId: k.stationId, residentId: k.residentId });
        const allowed = c.role === 'worker' ? action !== 'handling' : action === 'handling';
        if (!allowed) {
          await audit.finish(403);
          throw new UserError('CLOUD_AUTH_ROLE_FORBIDDEN', `a ${c.role} link may not ${action}`, 403);
        }
        try {
          if (action === 'note') {
            const text = (note ?? '').trim();
            if (!text) throw new UserError('CLOUD_VALIDATION_FAILED', 'a visit note needs text', 400);
            await audit.transaction(async (tx) => {
              await appendTimeline(tx, k.id, 'visit_note', { by: c.subject, text });
              await tx.query('UPDATE cases SET updated_at = now() WHERE id = $1', [k.id]);
            });
          } else if (action === 'handling') {
            const { rows } = await db.query<{ name: string }>('SELECT name FROM guardians WHERE id = $1', [
              c.subject,
            ]);
            await service.transition(
              k.id,
              'acknowledged',
              { type: 'guardian', id: rows[0]?.name ?? c.subject },
              note,
              (tx) => audit.writeIn(tx),
            );
            deps.onAcknowledged?.(k.id);
          } else {
            const r = await service.transition(
              k.id,
              action as TargetState,
              { type: 'worker', id: c.subject },
              note,
              (tx) => audit.writeIn(tx),
            );
            if (r.notificationIds.length > 0) deps.onNotifications?.(r.notificationIds);
            if (action === 'acknowledged') deps.onAcknowledged?.(k.id);
          }
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode ?? 500;
          await audit.finish(status).catch(() => undefined);
          throw err;
        }
        return (await view(c)).body;
      },
    );
  };
}
