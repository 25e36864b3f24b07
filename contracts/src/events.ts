import { type Static, Type } from '@sinclair/typebox';
import { ModelUpdateCommand } from './model-update.ts';
import { VitalsLimitsCommand } from './supervision.ts';

/** Major version of the wire envelope. Only additive changes within a major version. */
export const EVENT_SCHEMA_VERSION = 1;

export const EventKind = Type.Union(
  [
    Type.Literal('fall'),
    Type.Literal('sos'),
    Type.Literal('inactivity'),
    Type.Literal('vitals'),
    Type.Literal('emotion'),
    Type.Literal('meter_safety'),
    Type.Literal('night_exit'),
    Type.Literal('device_health'),
    Type.Literal('medication_missed'),
  ],
  { $id: 'EventKind', description: 'What the gateway noticed' },
);
export type EventKind = Static<typeof EventKind>;
export const EVENT_KINDS = EventKind.anyOf.map((k) => k.const) as readonly EventKind[];

export const Severity = Type.Union(
  [Type.Literal('info'), Type.Literal('warning'), Type.Literal('urgent'), Type.Literal('critical')],
  { $id: 'Severity' },
);
export type Severity = Static<typeof Severity>;

const Identifier = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description });

/** UUID (v7 minted on the gateway: time-ordered) — the idempotency key of an event. */
export const EventId = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'UUIDv7 minted on the gateway; the idempotency key',
});

const Timestamp = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });

export const ModelInfo = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    version: Type.String({ minLength: 1, maxLength: 32 }),
  },
  { additionalProperties: false },
);
export type ModelInfo = Static<typeof ModelInfo>;

export const Score = Type.Object(
  {
    value: Type.Number({ minimum: 0, maximum: 1, description: 'confidence 0..1' }),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    model: ModelInfo,
  },
  { additionalProperties: false },
);
export type Score = Static<typeof Score>;

/** Features, never raw samples: a handful of named numbers, strings or flags. */
export const Evidence = Type.Record(
  Type.String({ maxLength: 48, pattern: '^[A-Za-z][A-Za-z0-9_]*$' }),
  Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]),
  { maxProperties: 24, description: 'Short evidence: features, not raw data' },
);
export type Evidence = Static<typeof Evidence>;

export const AlertEvent = Type.Object(
  {
    schema: Type.Literal(EVENT_SCHEMA_VERSION),
    id: EventId,
    gatewayId: Identifier('gateway that raised the event'),
    residentId: Identifier('resident the event is about'),
    kind: EventKind,
    severity: Severity,
    occurredAt: Timestamp('when it happened (for a fall: the impact)'),
    detectedAt: Timestamp('when the gateway decided it was real (after the confirm window)'),
    score: Type.Optional(Score),
    evidence: Evidence,
    test: Type.Optional(Type.Boolean({ description: 'synthetic test event: never dispatched' })),
  },
  { $id: 'AlertEvent', additionalProperties: false },
);
export type AlertEvent = Static<typeof AlertEvent>;

export const Heartbeat = Type.Object(
  {
    schema: Type.Literal(EVENT_SCHEMA_VERSION),
    gatewayId: Identifier('gateway'),
    sentAt: Timestamp('gateway clock'),
    agentVersion: Type.String({ maxLength: 32 }),
    uptimeS: Type.Number({ minimum: 0 }),
    outboxDepth: Type.Integer({ minimum: 0 }),
    drivers: Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.Literal('up'), Type.Literal('down')]),
      {
        maxProperties: 32,
      },
    ),
    models: Type.Array(ModelInfo, { maxItems: 16 }),
    batteryPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    rssMb: Type.Number({ minimum: 0 }),
    cpuPct: Type.Number({ minimum: 0 }),
    diskUsedPct: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, description: "of the data dir's file system" }),
    ),
    outboxDropped: Type.Optional(
      Type.Object(
        {
          bound: Type.Integer({ minimum: 0, description: 'telemetry dropped for the outbox bound' }),
          diskFull: Type.Integer({ minimum: 0, description: 'telemetry dropped because the disk was full' }),
          daily: Type.Integer({ minimum: 0, description: 'daily summaries dropped while offline' }),
        },
        {
          additionalProperties: false,
          description: 'since the agent started; urgent events are never dropped',
        },
      ),
    ),
    heartbeatIntervalS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description: 'how often this gateway sends a heartbeat: the cloud calls it silent after a missed one',
      }),
    ),
    outboxUnwritable: Type.Optional(
      Type.Integer({ minimum: 0, description: 'urgent events held in memory: the disk refused them' }),
    ),
    homeLearning: Type.Optional(
      Type.Object(
        {
          day: Type.Integer({ minimum: 1, maximum: 366 }),
          days: Type.Integer({ minimum: 1, maximum: 366 }),
        },
        {
          additionalProperties: false,
          description:
            "present while the inactivity scorer is still learning this home's routine (day k of n): until then it alerts only on what the default routine can defend",
        },
      ),
    ),
  },
  { $id: 'Heartbeat', additionalProperties: false },
);
export type Heartbeat = Static<typeof Heartbeat>;

const Share = Type.Number({ minimum: 0, maximum: 1 });

/**
 * The day's faces in numbers (issue 13): how many frames and faces the cameras gave and the mean probability of
 * each of FER2013's seven expressions over those faces. Sent only for a day with enough faces to count; never a
 * face, a crop, an embedding or a per-frame figure.
 */
export const AffectDetail = Type.Object(
  {
    frames: Type.Integer({ minimum: 0 }),
    faces: Type.Integer({ minimum: 0 }),
    negativeShare: Type.Number({ minimum: 0, maximum: 1, description: 'mean p(angry) + p(fear) + p(sad)' }),
    shares: Type.Object(
      {
        angry: Share,
        disgust: Share,
        fear: Share,
        happy: Share,
        neutral: Share,
        sad: Share,
        surprise: Share,
      },
      { additionalProperties: false, description: "mean probability per expression over the day's faces" },
    ),
  },
  { additionalProperties: false },
);
export type AffectDetail = Static<typeof AffectDetail>;

/** One resident's day in a few numbers, sent by the gateway after local midnight (never raw data). */
export const ResidentDaily = Type.Object(
  {
    schema: Type.Literal(EVENT_SCHEMA_VERSION),
    gatewayId: Identifier('gateway'),
    residentId: Identifier('resident'),
    day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the local date' }),
    dayStart: Timestamp('local midnight that starts the day'),
    activeMinutes: Type.Integer({ minimum: 0, maximum: 1440, description: 'minutes with a sign of life' }),
    steps: Type.Optional(Type.Integer({ minimum: 0 })),
    heartRate: Type.Optional(
      Type.Object(
        {
          min: Type.Number({ minimum: 0 }),
          max: Type.Number({ minimum: 0 }),
          mean: Type.Number({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
    affect: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
    affectDetail: Type.Optional(AffectDetail),
    waterLitres: Type.Optional(Type.Number({ minimum: 0 })),
    electricityKwh: Type.Optional(Type.Number({ minimum: 0 })),
    gasM3: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { $id: 'ResidentDaily', additionalProperties: false },
);
export type ResidentDaily = Static<typeof ResidentDaily>;

export const Command = Type.Union(
  [
    Type.Object(
      {
        schema: Type.Literal(EVENT_SCHEMA_VERSION),
        id: EventId,
        type: Type.Literal('cancel'),
        eventId: EventId,
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        schema: Type.Literal(EVENT_SCHEMA_VERSION),
        id: EventId,
        type: Type.Literal('ack'),
        eventId: EventId,
        caseId: Type.String({ maxLength: 64 }),
      },
      { additionalProperties: false },
    ),
    ModelUpdateCommand,
    VitalsLimitsCommand,
  ],
  { $id: 'Command' },
);
export type Command = Static<typeof Command>;
