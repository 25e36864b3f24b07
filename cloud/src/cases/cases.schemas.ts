import { type Static, Type } from '@sinclair/typebox';
import * as contract from '../../../contracts/src/index.ts';
import { embed } from '../http/http.schemas.ts';
import { CASE_STATES } from './case-state-machine.ts';

const EventKind = embed(contract.EventKind);
const Severity = embed(contract.Severity);
const Score = embed(contract.Score);
const Evidence = embed(contract.Evidence);

export const CaseStatus = Type.Union(
  CASE_STATES.map((s) => Type.Literal(s)),
  {
    description:
      'open → assigned → acknowledged → en_route → on_site → resolved → closed; or cancelled, false_alarm',
  },
);
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
    level: Type.Union([Type.Integer({ minimum: 1, maximum: 3 }), Type.Null()], {
      description: '1 = a social worker visits, 2 = supervisor and guardians told, 3 = emergency (120)',
    }),
    stationId: Type.Union([Type.String(), Type.Null()]),
    assigneeId: Type.Union([Type.String(), Type.Null()], { description: 'the worker the case is with' }),
    assignee: Type.Union([Type.String(), Type.Null()], { description: "that worker's name" }),
    ackDeadlineAt: TimeOrNull,
    enRouteAt: TimeOrNull,
    onSiteAt: TimeOrNull,
    resolvedAt: TimeOrNull,
    closedAt: TimeOrNull,
    resolution: Type.Union([Type.String(), Type.Null()]),
  },
  {
    $id: 'Case',
    examples: [
      {
        id: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        residentId: '5e1c…',
        kind: 'fall',
        severity: 'urgent',
        status: 'assigned',
        test: false,
        openedAt: '2024-05-06T19:00:00.000Z',
        updatedAt: '2024-05-06T19:00:00.000Z',
        acknowledgedAt: null,
        acknowledgedBy: null,
        eventCount: 1,
        level: 1,
        stationId: 'jingan',
        assigneeId: 'w-zhang',
        assignee: '张社工',
        ackDeadlineAt: '2024-05-06T19:03:00.000Z',
        enRouteAt: null,
        onSiteAt: null,
        resolvedAt: null,
        closedAt: null,
        resolution: null,
      },
    ],
  },
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
    description:
      'opened | event_appended | notified | notification_failed | assigned | acknowledged | en_route | on_site | resolved | closed | cancelled | false_alarm | ack_deadline_missed | dispatch_unavailable | escalated | survey_sent | survey_answered | complaint | routed | fault_cleared | no_home_visit',
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
  { additionalProperties: false, examples: [{ by: 'w-zhang' }] },
);
export type AckBody = Static<typeof AckBody>;

export const ActorBody = Type.Object(
  {
    type: Type.Union([
      Type.Literal('worker'),
      Type.Literal('duty_desk'),
      Type.Literal('system'),
      Type.Literal('guardian'),
    ]),
    id: Type.String({ minLength: 1, maxLength: 100, description: 'worker id, or the name of the person' }),
  },
  { additionalProperties: false },
);

export const TransitionBody = Type.Object(
  {
    to: Type.Union(
      CASE_STATES.filter((s) => s !== 'open').map((s) => Type.Literal(s)),
      { description: 'the state to move the case into' },
    ),
    actor: ActorBody,
    note: Type.Optional(Type.String({ maxLength: 500, description: 'e.g. the resolution' })),
  },
  {
    additionalProperties: false,
    examples: [
      { to: 'acknowledged', actor: { type: 'worker', id: 'w-zhang' } },
      { to: 'resolved', actor: { type: 'worker', id: 'w-zhang' }, note: 'helped up, no injury' },
    ],
  },
);
export type TransitionBody = Static<typeof TransitionBody>;
