import { type Static, Type } from '@sinclair/typebox';

export const StaffRole = Type.Union([
  Type.Literal('admin'),
  Type.Literal('desk'),
  Type.Literal('worker'),
  Type.Literal('supervisor'),
]);

export const ConsoleUser = Type.Object(
  {
    username: Type.String(),
    displayName: Type.String(),
    role: StaffRole,
    stationId: Type.Union([Type.String(), Type.Null()]),
    workerId: Type.Union([Type.String(), Type.Null()]),
    active: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        username: 'desk-wang',
        displayName: '王值班',
        role: 'desk',
        stationId: 'jingan',
        workerId: null,
        active: true,
        createdAt: '2024-05-06T08:00:00.000Z',
      },
    ],
  },
);

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false, examples: [{ username: 'desk-wang', password: 'correct horse battery' }] },
);
export type LoginBody = Static<typeof LoginBody>;

export const SessionInfo = Type.Object(
  {
    username: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    sub: Type.String({ description: 'who the API sees: the worker id for workers, the user name otherwise' }),
    stationId: Type.Union([Type.String(), Type.Null()]),
    csrfToken: Type.Union([Type.String(), Type.Null()], {
      description: 'send it as X-CSRF-Token with every request that changes data (null with a bearer token)',
    }),
  },
  {
    examples: [
      {
        username: 'desk-wang',
        displayName: '王值班',
        role: 'desk',
        sub: 'desk-wang',
        stationId: 'jingan',
        csrfToken: 'q8w…',
      },
    ],
  },
);

export const NewUserBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    role: StaffRole,
    stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    workerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    password: Type.String({ minLength: 8, maxLength: 256 }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        username: 'desk-wang',
        displayName: '王值班',
        role: 'desk',
        stationId: 'jingan',
        password: 'correct horse battery',
      },
    ],
  },
);
export type NewUserBody = Static<typeof NewUserBody>;

export const UserParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export const UserPatchBody = Type.Object(
  { active: Type.Boolean() },
  { additionalProperties: false, examples: [{ active: false }] },
);

export const QueueItem = Type.Object(
  {
    id: Type.String(),
    residentId: Type.String(),
    residentName: Type.String(),
    stationId: Type.Union([Type.String(), Type.Null()]),
    kind: Type.String(),
    severity: Type.String(),
    status: Type.String(),
    level: Type.Union([Type.Integer(), Type.Null()]),
    test: Type.Boolean(),
    openedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    ackDeadlineAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    assigneeId: Type.Union([Type.String(), Type.Null()]),
    assignee: Type.Union([Type.String(), Type.Null()]),
  },
  {
    examples: [
      {
        id: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        residentId: '5e1c2d3a-0000-4000-8000-000000000001',
        residentName: '李奶奶',
        stationId: 'jingan',
        kind: 'fall',
        severity: 'urgent',
        status: 'assigned',
        level: 1,
        test: false,
        openedAt: '2024-05-06T19:00:00.000Z',
        updatedAt: '2024-05-06T19:00:01.000Z',
        ackDeadlineAt: '2024-05-06T19:03:00.000Z',
        assigneeId: 'w-zhang',
        assignee: '张社工',
      },
    ],
  },
);
