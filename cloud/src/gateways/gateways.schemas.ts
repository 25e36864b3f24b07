import { type Static, Type } from '@sinclair/typebox';
import { ModelInfo } from '../../../contracts/src/index.ts';

/** Same rule as the contract's gateway id: it becomes an MQTT topic level and username. */
export const GatewayId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'gateway id: MQTT username and topic level gw/<id>/…',
});

export const CreateGatewayBody = Type.Object(
  { id: GatewayId, residentId: Type.String({ minLength: 1, maxLength: 64 }) },
  {
    additionalProperties: false,
    examples: [{ id: 'gw-0001', residentId: '5e1c2d3a-0000-4000-8000-000000000001' }],
  },
);
export type CreateGatewayBody = Static<typeof CreateGatewayBody>;

export const GatewayCredentials = Type.Object(
  {
    gatewayId: GatewayId,
    residentId: Type.String(),
    secret: Type.String({ description: 'MQTT password; shown once, only a salted hash is stored' }),
  },
  {
    $id: 'GatewayCredentials',
    examples: [
      { gatewayId: 'gw-0001', residentId: '5e1c2d3a-0000-4000-8000-000000000001', secret: 'q3Jx…shown-once' },
    ],
  },
);
export type GatewayCredentials = Static<typeof GatewayCredentials>;

export const HeartbeatSummary = Type.Object({
  sentAt: Type.String(),
  agentVersion: Type.String(),
  uptimeS: Type.Number(),
  outboxDepth: Type.Integer(),
  drivers: Type.Record(Type.String(), Type.String()),
  models: Type.Array(ModelInfo),
  batteryPct: Type.Optional(Type.Number()),
  rssMb: Type.Number(),
  cpuPct: Type.Number(),
  homeLearning: Type.Optional(
    Type.Object(
      { day: Type.Integer(), days: Type.Integer() },
      {
        description:
          'the inactivity scorer is still learning this home (day k of n): alerts are conservative',
      },
    ),
  ),
});

export const Gateway = Type.Object(
  {
    gatewayId: GatewayId,
    residentId: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    connected: Type.Boolean({ description: 'an MQTT session is open (on any replica)' }),
    lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastHeartbeatAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastHeartbeat: Type.Union([HeartbeatSummary, Type.Null()]),
    lastModelUpdate: Type.Union(
      [
        Type.Object({
          commandId: Type.String(),
          model: ModelInfo,
          outcome: Type.String({ description: 'accepted, refused or rolled_back' }),
          reason: Type.String(),
          activeVersion: Type.String(),
          finishedAt: Type.String({ format: 'date-time' }),
        }),
        Type.Null(),
      ],
      { description: 'the latest model update result this gateway reported (GET /model-updates for all)' },
    ),
  },
  {
    $id: 'Gateway',
    examples: [
      {
        gatewayId: 'gw-0001',
        residentId: '5e1c2d3a-0000-4000-8000-000000000001',
        createdAt: '2024-05-06T19:00:00.000Z',
        connected: true,
        lastSeenAt: '2024-05-06T19:00:00.000Z',
        lastHeartbeatAt: '2024-05-06T19:00:00.000Z',
        lastHeartbeat: null,
        lastModelUpdate: null,
      },
    ],
  },
);
export type Gateway = Static<typeof Gateway>;
