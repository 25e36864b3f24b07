import { type Static, Type } from '@sinclair/typebox';
import * as contract from '../../../contracts/src/index.ts';
import { embed } from '../http/http.schemas.ts';

const EventKind = embed(contract.EventKind);
const Severity = embed(contract.Severity);
const Score = embed(contract.Score);
const Evidence = embed(contract.Evidence);

export const CaseStatus = Type.Union([Type.Literal('open'), Type.Literal('acknowledged')]);
export type CaseStatus = Static<typeof CaseStatus>;

const Time = Type.String({ format: 'date-time' });
const TimeOrNull = Type.Union([Time, Type.Null()]);

export const Case = Type.Object(
  {
    id: Type.String(),
    residentId: Type.String(),
    kind: EventKind,
    severity: Severity,
    status: CaseStatus,
    test: Type.Boolean({ description: 'opened by test events: nobody is notified' }),
    openedAt: Time,
    updatedAt: Time,
    acknowledgedAt: TimeOrNull,
    acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
    eventCount: Type.Integer({ minimum: 0 }),
  },
  { $id: 'Case' },
);
export type Case = Static<typeof Case>;

export const CaseEvent = Type.Object({
  id: Type.String(),
  gatewayId: Type.String(),
  kind: EventKind,
  severity: Severity,
  occurredAt: Time,
  detectedAt: Time,
  receivedAt: Time,
  score: Type.Union([Score, Type.Null()]),
  evidence: Evidence,
  test: Type.Boolean(),
});
export type CaseEvent = Static<typeof CaseEvent>;

export const TimelineEntry = Type.Object({
  at: Time,
  type: Type.String({
    description: 'opened | event_appended | notified | notification_failed | acknowledged',
  }),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const CaseDetail = Type.Composite(
  [
    Case,
    Type.Object({
      events: Type.Array(CaseEvent),
      timeline: Type.Array(TimelineEntry),
      notifications: Type.Array(Type.Ref('Notification')),
    }),
  ],
  { $id: 'CaseDetail' },
);

export const ListCasesQuery = Type.Object(
  {
    residentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(CaseStatus),
    kind: Type.Optional(EventKind),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
export type ListCasesQuery = Static<typeof ListCasesQuery>;

export const AckBody = Type.Object(
  { by: Type.String({ minLength: 1, maxLength: 100, description: 'who acknowledged (guardian or worker)' }) },
  { additionalProperties: false },
);
export type AckBody = Static<typeof AckBody>;
