import { type Static, Type } from '@sinclair/typebox';

export const Language = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')], {
  description: 'language of messages to this person',
});
export type Language = Static<typeof Language>;

export const ResidentId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
});

/** Local wall-clock time, HH:MM (24 h), in the configured time zone. */
export const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', examples: ['22:00'] });

export const Consent = Type.Object(
  {
    homeVisit: Type.Optional(Type.Boolean({ description: 'a social worker may come to the home' })),
    shareAddressWithWorkers: Type.Optional(
      Type.Boolean({ description: 'workers may be texted the address' }),
    ),
    dataProcessing: Type.Optional(Type.Boolean({ description: 'events may be processed by the service' })),
  },
  { additionalProperties: false, examples: [{ homeVisit: true, shareAddressWithWorkers: true }] },
);
export type Consent = Static<typeof Consent>;

const residentFields = {
  address: Type.Optional(Type.String({ maxLength: 300, examples: ['静安区南京西路1号 3-201'] })),
  language: Type.Optional(Language),
  stationId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'the street station that serves this home' }),
  ),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, examples: [31.2286] })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, examples: [121.4547] })),
  conditions: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20, examples: [['diabetes']] }),
  ),
  consent: Type.Optional(Consent),
};

export const CreateResidentBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), ...residentFields },
  {
    additionalProperties: false,
    examples: [
      {
        name: '王奶奶',
        address: '静安区南京西路1号 3-201',
        stationId: 'jingan',
        lat: 31.2286,
        lon: 121.4547,
      },
    ],
  },
);
export type CreateResidentBody = Static<typeof CreateResidentBody>;

export const UpdateResidentBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), ...residentFields },
  { additionalProperties: false, examples: [{ stationId: 'jingan', lat: 31.2286, lon: 121.4547 }] },
);
export type UpdateResidentBody = Static<typeof UpdateResidentBody>;

export const Resident = Type.Object(
  {
    id: ResidentId,
    name: Type.String(),
    address: Type.Union([Type.String(), Type.Null()]),
    language: Language,
    stationId: Type.Union([Type.String(), Type.Null()]),
    lat: Type.Union([Type.Number(), Type.Null()]),
    lon: Type.Union([Type.Number(), Type.Null()]),
    conditions: Type.Array(Type.String()),
    consent: Consent,
    createdAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Resident',
    examples: [
      {
        id: '5e1c2d3a-0000-4000-8000-000000000001',
        name: '王奶奶',
        address: '静安区南京西路1号 3-201',
        language: 'zh-CN',
        stationId: 'jingan',
        lat: 31.2286,
        lon: 121.4547,
        conditions: ['diabetes'],
        consent: { homeVisit: true, shareAddressWithWorkers: true },
        createdAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);
export type Resident = Static<typeof Resident>;

/** Non-urgent texts wait until quiet hours end; urgent and critical ones are sent at once. */
export const QuietHours = Type.Object(
  { start: LocalTime, end: LocalTime },
  { additionalProperties: false, examples: [{ start: '22:00', end: '07:00' }] },
);
export type QuietHours = Static<typeof QuietHours>;

export const CreateGuardianBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    phone: Type.String({
      pattern: '^\\+?[0-9][0-9 -]{4,30}$',
      description: 'mobile number, digits with optional leading + (E.164 preferred)',
    }),
    language: Language,
    quietHours: Type.Optional(QuietHours),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: '女儿',
        phone: '+8613800000001',
        language: 'zh-CN',
        quietHours: { start: '22:00', end: '07:00' },
      },
    ],
  },
);
export type CreateGuardianBody = Static<typeof CreateGuardianBody>;

export const Guardian = Type.Object(
  {
    id: Type.String(),
    residentId: ResidentId,
    name: Type.String(),
    phone: Type.String(),
    language: Language,
    quietHours: Type.Union([QuietHours, Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Guardian',
    examples: [
      {
        id: 'a3f1c2d4-0000-4000-8000-000000000001',
        residentId: '5e1c2d3a-0000-4000-8000-000000000001',
        name: '女儿',
        phone: '+8613800000001',
        language: 'zh-CN',
        quietHours: { start: '22:00', end: '07:00' },
        createdAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);
export type Guardian = Static<typeof Guardian>;
