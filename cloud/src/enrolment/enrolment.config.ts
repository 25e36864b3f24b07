import { type Static, Type } from '@sinclair/typebox';

/** `enrolment` in the cloud config: how long codes live, how hard guessing is, what gateways are told. */
export const EnrolmentConfigSchema = Type.Object(
  {
    mqttUrl: Type.Optional(
      Type.String({
        pattern: '^mqtts?://',
        description:
          'the MQTT URL enrolled gateways are given (as they reach the broker, e.g. through a TLS proxy); default: the broker as bound (env ANJU_MQTT_PUBLIC_URL)',
      }),
    ),
    codeTtlS: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 604_800,
        description: 'default life of a new code; default 86400 (1 day)',
      }),
    ),
    // Per client address and window, over all replicas. 10 per 15 min lets an installer mistype a few
    // times; a guesser gets ~1000 tries a day against 2^60 codes.
    maxFailuresPerWindow: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description: 'failed enrolments a client may make per window; default 10',
      }),
    ),
    failureWindowS: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400, description: 'length of that window; default 900' }),
    ),
  },
  { additionalProperties: false },
);
export type EnrolmentConfig = Static<typeof EnrolmentConfigSchema>;

export const enrolmentDefaults = { codeTtlS: 86_400, maxFailuresPerWindow: 10, failureWindowS: 900 } as const;
