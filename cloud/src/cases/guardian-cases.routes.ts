import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import * as contract from '../../../contracts/src/index.ts';
import type { Db } from '../db/index.ts';
import { isoTime, isoTimeOrNull } from '../db/index.ts';
import { NotFoundError } from '../errors.ts';
import { embed, errors, IdParams } from '../http/http.schemas.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import { CaseStatus } from './cases.schemas.ts';
import type { CasesService } from './cases.service.ts';

/**
 * What a guardian may see of their resident's cases: what happened, when, how far the response got —
 * never the worker, the evidence, the texts sent to others or the resolution notes. Test cases (a
 * gateway's self-test) are not shown: guardians are never told about them.
 */
export const GuardianCase = Type.Object(
  {
    id: Type.String(),
    residentId: Type.String(),
    kind: embed(contract.EventKind),
    severity: embed(contract.Severity),
    status: CaseStatus,
    level: Type.Union([Type.Integer(), Type.Null()]),
    openedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  {
    examples: [
      {
        id: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        residentId: '5e1c2d3a-0000-4000-8000-000000000001',
        kind: 'fall',
        severity: 'urgent',
        status: 'acknowledged',
        level: 1,
        openedAt: '2024-05-06T19:00:00.000Z',
        updatedAt: '2024-05-06T19:03:00.000Z',
        acknowledgedAt: '2024-05-06T19:03:00.000Z',
        closedAt: null,
      },
    ],
  },
);
export type GuardianCase = Static<typeof GuardianCase>;

const ListQuery = Type.Object(
  {
    status: Type.Optional(CaseStatus),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

const TransitionBody = Type.Object(
  {
    to: Type.Union([Type.Literal('acknowledged'), Type.Literal('cancelled')], {
      description: 'acknowledged = "I am handling it"; cancelled = "it was nothing"',
    }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false, examples: [{ to: 'acknowledged' }] },
);

interface Row {
  id: string;
  resident_id: string;
  kind: GuardianCase['kind'];
  severity: GuardianCase['severity'];
  status: GuardianCase['status'];
  level: number | null;
  opened_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  closed_at: Date | null;
}

const toGuardianCase = (r: Row): GuardianCase => ({
  id: r.id,
  residentId: r.resident_id,
  kind: r.kind,
  severity: r.severity,
  status: r.status,
  level: r.level === null ? null : Number(r.level),
  openedAt: isoTime(r.opened_at),
  updatedAt: isoTime(r.updated_at),
  acknowledgedAt: isoTimeOrNull(r.acknowledged_at),
  closedAt: isoTimeOrNull(r.closed_at),
});

const COLUMNS =
  'c.id, c.resident_id, c.kind, c.severity, c.status, c.level, c.opened_at, c.updated_at, c.acknowledged_at, c.closed_at';

/** A guardian's own view of the cases of the resident they guard (role guardian only). */
export function guardianCasesRoutes(deps: {
  db: Db;
  service: CasesService;
  onAcknowledged?: (caseId: string) => void;
}): FastifyPluginAsync {
  const { db, service } = deps;

  async function one(guardianId: string, caseId: string): Promise<GuardianCase> {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM cases c JOIN guardians g ON g.resident_id = c.resident_id
       WHERE g.id = $1 AND c.id = $2 AND NOT c.test`,
      [guardianId, caseId],
    );
    if (!rows[0]) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${caseId} not found`);
    return toGuardianCase(rows[0]);
  }

  return async (app) => {
    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/guardian/cases',
      {
        schema: {
          tags: ['guardian'],
          summary: "The cases of the resident I guard, newest first (a guardian's view)",
          querystring: ListQuery,
          response: { 200: Type.Object({ items: Type.Array(GuardianCase) }), ...errors(400, 401, 403) },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const { rows } = await db.query<Row>(
          `SELECT ${COLUMNS} FROM cases c JOIN guardians g ON g.resident_id = c.resident_id
           WHERE g.id = $1 AND NOT c.test AND ($2::text IS NULL OR c.status = $2)
           ORDER BY c.opened_at DESC, c.id LIMIT $3`,
          [p.guardianId, req.query.status ?? null, req.query.limit],
        );
        auditOf(req).set({ residentId: rows[0]?.resident_id ?? null, detail: { count: rows.length } });
        return { items: rows.map(toGuardianCase) };
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/guardian/cases/:id',
      {
        schema: {
          tags: ['guardian'],
          summary: 'One case of the resident I guard',
          params: IdParams,
          response: { 200: GuardianCase, ...errors('CLOUD_CASE_NOT_FOUND') },
        },
      },
      async (req) => one(principalOf(req).guardianId ?? '', req.params.id),
    );

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TransitionBody> }>(
      '/guardian/cases/:id/transitions',
      {
        schema: {
          tags: ['guardian'],
          summary: 'Say I am handling it (acknowledged) or that it was nothing (cancelled)',
          description:
            'Moves the case as { type: guardian, id: <my name> }; 409 when the case is past that step.',
          params: IdParams,
          body: TransitionBody,
          response: {
            200: GuardianCase,
            ...errors(
              'CLOUD_CASE_NOT_FOUND',
              'CLOUD_CASE_TRANSITION_ILLEGAL',
              'CLOUD_CASE_ACTOR_NOT_ALLOWED',
              'CLOUD_CASE_NOT_OPEN',
              'CLOUD_AUTH_ACTOR_MISMATCH',
            ),
          },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const guardianId = p.guardianId ?? '';
        const before = await one(guardianId, req.params.id); // 404 for a test case too
        const { rows } = await db.query<{ name: string }>('SELECT name FROM guardians WHERE id = $1', [
          guardianId,
        ]);
        const audit = auditOf(req);
        audit.set({ detail: { to: req.body.to } });
        // The timeline names a guardian as SMS replies do: by name.
        await service.transition(
          before.id,
          req.body.to,
          { type: 'guardian', id: rows[0]?.name ?? p.sub },
          req.body.note,
          (tx) => audit.writeIn(tx),
        );
        if (req.body.to === 'acknowledged') deps.onAcknowledged?.(before.id);
        return one(guardianId, before.id);
      },
    );
  };
}
