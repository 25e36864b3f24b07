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

export const CreateResidentBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);
export type CreateResidentBody = Static<typeof CreateResidentBody>;

export const Resident = Type.Object(
  {
    id: ResidentId,
    name: Type.String(),
    address: Type.Union([Type.String(), Type.Null()]),
    language: Language,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Resident' },
);
export type Resident = Static<typeof Resident>;

export const CreateGuardianBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    phone: Type.String({
      pattern: '^\\+?[0-9][0-9 -]{4,30}$',
      description: 'mobile number, digits with optional leading + (E.164 preferred)',
    }),
    language: Language,
  },
  { additionalProperties: false },
);
export type CreateGuardianBody = Static<typeof CreateGuardianBody>;

export const Guardian = Type.Object(
  {
    id: Type.String(),
    residentId: ResidentId,
    name: Type.String(),
    phone: Type.String(),
    language: Language,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Guardian' },
);
export type Guardian = Static<typeof Guardian>;
