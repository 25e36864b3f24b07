import { type Static, Type } from '@sinclair/typebox';
import { GatewayId } from '../gateways/gateways.schemas.ts';

export const CreateEnrolmentCodeBody = Type.Object(
  {
    stationId: Type.String({ minLength: 1, maxLength: 64 }),
    residentId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'the resident the gateway will serve, if known',
      }),
    ),
    ttlS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 604_800,
        description: 'life of the code in seconds; default from the config (1 day)',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ stationId: 'jingan', residentId: '…', ttlS: 86400 }] },
);
export type CreateEnrolmentCodeBody = Static<typeof CreateEnrolmentCodeBody>;

export const EnrolmentCode = Type.Object(
  {
    id: Type.String(),
    code: Type.String({ description: 'shown ONCE: give it to the installer; only its hash is stored' }),
    stationId: Type.String(),
    residentId: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        id: 'c0d3…',
        code: 'K7PX-4QMW-93TB',
        stationId: 'jingan',
        residentId: null,
        expiresAt: '2024-05-07T19:00:00.000Z',
      },
    ],
  },
);

export const EnrolBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64, description: 'the one-time code from the duty desk' }),
    gatewayName: Type.Optional(GatewayId),
    residentId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'needed when the code names no resident' }),
    ),
  },
  { additionalProperties: false, examples: [{ code: 'K7PX-4QMW-93TB', gatewayName: 'gw-0001' }] },
);
export type EnrolBody = Static<typeof EnrolBody>;

export const Enrolment = Type.Object(
  {
    gatewayId: GatewayId,
    residentId: Type.String(),
    stationId: Type.String(),
    secret: Type.String({ description: 'the MQTT password: shown once, only a salted hash is stored' }),
    mqttUrl: Type.String({ description: 'where the gateway connects (username = gatewayId)' }),
    enrolledAt: Type.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        gatewayId: 'gw-0001',
        residentId: '5e1c2d3a-0000-4000-8000-000000000001',
        stationId: 'jingan',
        secret: 'q3Jx…shown-once',
        mqttUrl: 'mqtts://cloud.example:8883',
        enrolledAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);
