import { type Static, Type } from '@sinclair/typebox';
import { Language } from '../residents/residents.schemas.ts';

export const StationId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
});
const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,30}$', examples: ['+8613900000009'] });

/** The station's supervisor: told at level 2 when a case's first level misses its deadline. */
export const Supervisor = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), phone: Phone, language: Language },
  { additionalProperties: false, examples: [{ name: '李站长', phone: '+8613900000009', language: 'zh-CN' }] },
);
export type Supervisor = Static<typeof Supervisor>;

export const CreateStationBody = Type.Object(
  {
    id: StationId,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    supervisor: Type.Optional(Supervisor),
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'jingan',
        name: '静安寺街道社工站',
        supervisor: { name: '李站长', phone: '+8613900000009', language: 'zh-CN' },
      },
    ],
  },
);
export type CreateStationBody = Static<typeof CreateStationBody>;

export const Station = Type.Object(
  {
    id: StationId,
    name: Type.String(),
    supervisor: Type.Union([Supervisor, Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Station',
    examples: [
      {
        id: 'jingan',
        name: '静安寺街道社工站',
        supervisor: { name: '李站长', phone: '+8613900000009', language: 'zh-CN' },
        createdAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);
export type Station = Static<typeof Station>;
