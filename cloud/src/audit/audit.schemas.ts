import { type Static, Type } from '@sinclair/typebox';

export const AUDIT_OUTCOMES = ['ok', 'denied', 'not_found', 'rejected', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One row of the audit log, as the API shows it. */
export const AuditEntry = Type.Object(
  {
    id: Type.String({ description: 'increasing; pass as `before` to page back' }),
    at: Type.String({ format: 'date-time' }),
    actor: Type.String({
      description:
        "the token's sub; service-token for the shared token; '(another station)' for a supervisor reading a request of another station's person",
    }),
    role: Type.String(),
    credential: Type.Union([
      Type.Literal('jwt'),
      Type.Literal('api-token'),
      Type.Literal('open'),
      Type.Literal('session'),
      Type.Literal('link'),
    ]),
    actorStationId: Type.Union([Type.String(), Type.Null()]),
    action: Type.String({ description: 'read | list | create | update | transition | acknowledge' }),
    targetType: Type.String(),
    targetId: Type.Union([Type.String(), Type.Null()]),
    residentId: Type.Union([Type.String(), Type.Null()]),
    targetStationId: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.String(),
    method: Type.String(),
    route: Type.String(),
    status: Type.Integer(),
    outcome: Type.Union(AUDIT_OUTCOMES.map((o) => Type.Literal(o))),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  {
    $id: 'AuditEntry',
    examples: [
      {
        id: '1042',
        at: '2024-05-06T19:03:00.000Z',
        actor: 'w-zhang',
        role: 'worker',
        credential: 'jwt',
        actorStationId: 'jingan',
        action: 'transition',
        targetType: 'case',
        targetId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        residentId: '5e1c2d3a-0000-4000-8000-000000000001',
        targetStationId: 'jingan',
        requestId: 'req-1f',
        method: 'POST',
        route: '/cases/:id/transitions',
        status: 200,
        outcome: 'ok',
        detail: { to: 'acknowledged' },
      },
    ],
  },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const ListAuditQuery = Type.Object(
  {
    residentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'whose data' })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'before' })),
    before: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,18}$', description: 'entries with a smaller id' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);
export type ListAuditQuery = Static<typeof ListAuditQuery>;

/** What a request appends; `at` and `id` come from the database. */
export interface NewAuditEntry {
  actor: string;
  role: string;
  credential: 'jwt' | 'api-token' | 'open' | 'session' | 'link';
  actorStationId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  residentId: string | null;
  targetStationId: string | null;
  requestId: string;
  method: string;
  route: string;
  status: number;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
}
