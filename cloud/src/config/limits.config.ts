import { type Static, Type } from '@sinclair/typebox';
import { MAX_PAYLOAD_BYTES } from '../../../contracts/src/index.ts';

/**
 * What the cloud accepts from one client before it pushes back: payload and body sizes, and rates per
 * gateway (MQTT) and per API client (REST). Every key is optional; `resolveLimits` fills the defaults.
 */
export const LimitsConfig = Type.Object(
  {
    mqttMaxPayloadBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        maximum: 1024 * 1024,
        description:
          'an MQTT packet larger than this (plus 512 bytes of topic and header) closes the connection before it is read; default the contract maximum, 16384 (env ANJU_MQTT_MAX_PAYLOAD_BYTES)',
      }),
    ),
    gatewayMessagesPerS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description:
          'sustained messages per second from one gateway; beyond it PUBACKs are held (urgent events are never refused); default 50 (env ANJU_GATEWAY_MESSAGES_PER_S)',
      }),
    ),
    gatewayBurst: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: 'messages at once after a quiet spell; default 200',
      }),
    ),
    // Below the gateway's 15 s publish timeout, so a held PUBACK never looks like a dead link.
    gatewayMaxWaitMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        description:
          'longest a message is held for a token before it is refused without a PUBACK; default 2000',
      }),
    ),
    httpBodyLimitBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        maximum: 10 * 1024 * 1024,
        description: 'largest REST request body (413 beyond it); default 65536',
      }),
    ),
    apiRequestsPerMinute: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description:
          'REST requests per minute per API client (the subject of its token, or its IP without one); 429 beyond it; default 6000 (env ANJU_API_REQUESTS_PER_MINUTE)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LimitsConfig = Static<typeof LimitsConfig>;

export const limitsEnvOverrides = {
  ANJU_MQTT_MAX_PAYLOAD_BYTES: { key: 'limits.mqttMaxPayloadBytes', type: 'integer' },
  ANJU_GATEWAY_MESSAGES_PER_S: { key: 'limits.gatewayMessagesPerS', type: 'integer' },
  ANJU_API_REQUESTS_PER_MINUTE: { key: 'limits.apiRequestsPerMinute', type: 'integer' },
} as const;

export function resolveLimits(l: LimitsConfig | undefined): Required<LimitsConfig> {
  return {
    mqttMaxPayloadBytes: l?.mqttMaxPayloadBytes ?? MAX_PAYLOAD_BYTES,
    gatewayMessagesPerS: l?.gatewayMessagesPerS ?? 50,
    gatewayBurst: l?.gatewayBurst ?? 200,
    gatewayMaxWaitMs: l?.gatewayMaxWaitMs ?? 2000,
    httpBodyLimitBytes: l?.httpBodyLimitBytes ?? 64 * 1024,
    apiRequestsPerMinute: l?.apiRequestsPerMinute ?? 6000,
  };
}
