import { type Static, Type } from '@sinclair/typebox';

/**
 * How the cloud supervises its gateways (docs/supervision.md). Every key is optional;
 * `resolveSupervision` fills the defaults.
 */
export const SupervisionConfig = Type.Object(
  {
    defaultHeartbeatIntervalS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          "a gateway's heartbeat interval when its heartbeat does not say (heartbeatIntervalS); default 60, as the gateway's own default",
      }),
    ),
    graceS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          'a gateway is silent when no heartbeat came within its interval plus this; default 30 (env ANJU_SUPERVISION_GRACE_S)',
      }),
    ),
    pollIntervalMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 60_000,
        description:
          'how often every replica looks for silent gateways (an indexed query); default 5000 (env ANJU_SUPERVISION_POLL_MS)',
      }),
    ),
    restartGraceS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          'after an outage of the cloud or its broker link, the time the fleet gets to reconnect: a gateway not heard since is silent at the outage end + this + its interval + graceS, whatever the other gateways do; default 60 (env ANJU_SUPERVISION_RESTART_GRACE_S)',
      }),
    ),
    outageGapS: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          'when no replica has looked for this long, the cloud was down: every gateway gets a fresh interval plus grace before its silence counts; default 20',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SupervisionConfig = Static<typeof SupervisionConfig>;
export type ResolvedSupervision = Required<SupervisionConfig>;

export function resolveSupervision(c: SupervisionConfig | undefined): ResolvedSupervision {
  return {
    defaultHeartbeatIntervalS: c?.defaultHeartbeatIntervalS ?? 60,
    graceS: c?.graceS ?? 30,
    pollIntervalMs: c?.pollIntervalMs ?? 5000,
    restartGraceS: c?.restartGraceS ?? 60,
    outageGapS: c?.outageGapS ?? 20,
  };
}

export const supervisionEnvOverrides = {
  ANJU_SUPERVISION_GRACE_S: { key: 'supervision.graceS', type: 'integer' },
  ANJU_SUPERVISION_POLL_MS: { key: 'supervision.pollIntervalMs', type: 'integer' },
  ANJU_SUPERVISION_DEFAULT_INTERVAL_S: { key: 'supervision.defaultHeartbeatIntervalS', type: 'integer' },
  ANJU_SUPERVISION_OUTAGE_GAP_S: { key: 'supervision.outageGapS', type: 'integer' },
  ANJU_SUPERVISION_RESTART_GRACE_S: { key: 'supervision.restartGraceS', type: 'integer' },
} as const;
