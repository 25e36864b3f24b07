import { type Static, Type } from '@sinclair/typebox';
import { Language, LocalTime } from '../residents/residents.schemas.ts';

export const Shift = Type.Object(
  {
    weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: 'ISO weekdays the shift starts on: 1 = Monday … 7 = Sunday',
    }),
    start: LocalTime,
    end: Type.String({
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      description: 'local HH:MM; at or before start = the shift ends the next day (overnight)',
      examples: ['06:00'],
    }),
  },
  {
    additionalProperties: false,
    examples: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }],
  },
);
export type Shift = Static<typeof Shift>;

export const RosterBody = Type.Object(
  { shifts: Type.Array(Shift, { maxItems: 50 }) },
  {
    additionalProperties: false,
    examples: [{ shifts: [{ weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' }] }],
  },
);
export type RosterBody = Static<typeof RosterBody>;

export const CreateWorkerBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
    stationId: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    phone: Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,30}$' }),
    language: Type.Optional(Language),
    skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
    home: Type.Object(
      { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
      { additionalProperties: false, description: 'home base; dispatch measures distance from here' },
    ),
    shifts: Type.Optional(Type.Array(Shift, { maxItems: 50 })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'w-zhang',
        stationId: 'jingan',
        name: '张社工',
        phone: '+8613900000001',
        language: 'zh-CN',
        skills: ['first_aid'],
        home: { lat: 31.225, lon: 121.445 },
        shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }],
      },
    ],
  },
);
export type CreateWorkerBody = Static<typeof CreateWorkerBody>;

export const Worker = Type.Object(
  {
    id: Type.String(),
    stationId: Type.String(),
    name: Type.String(),
    phone: Type.String(),
    language: Language,
    skills: Type.Array(Type.String()),
    home: Type.Object({ lat: Type.Number(), lon: Type.Number() }),
    active: Type.Boolean(),
    shifts: Type.Array(Shift),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Worker',
    examples: [
      {
        id: 'w-zhang',
        stationId: 'jingan',
        name: '张社工',
        phone: '+8613900000001',
        language: 'zh-CN',
        skills: ['first_aid'],
        home: { lat: 31.225, lon: 121.445 },
        active: true,
        shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '06:00' }],
        createdAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);
export type Worker = Static<typeof Worker>;
