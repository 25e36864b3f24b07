import { type Static, Type } from '@sinclair/typebox';

/**
 * `auth` block of the cloud config: the key JWTs are signed with and what they must say. Absent = no
 * JWTs (only the shared `apiToken`, or an open API when that is unset too).
 */
export const AuthConfig = Type.Object(
  {
    jwtSecret: Type.String({
      minLength: 1,
      description:
        'HS256 key, at least 32 bytes (256 bits, RFC 7518 §3.2), e.g. `openssl rand -base64 48`; checked at start-up (env ANJU_JWT_SECRET)',
    }),
    issuer: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "the tokens' iss; default anju-cloud (env ANJU_JWT_ISSUER)",
      }),
    ),
    audience: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "the tokens' aud; default anju-api (env ANJU_JWT_AUDIENCE)",
      }),
    ),
    // Clamped: clocks of a few seconds apart are normal; minutes of leeway would stretch every expiry.
    clockSkewS: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 300, description: 'leeway on exp/nbf/iat, seconds; default 30' }),
    ),
    maxTtlS: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 90 * 86_400,
        description: 'the longest lifetime a token may have (exp − iat), seconds; default 30 days',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'JWT roles for the REST API (cloud/README.md "Roles and audit")',
  },
);
export type AuthConfig = Static<typeof AuthConfig>;

export const authEnvOverrides = {
  ANJU_JWT_SECRET: { key: 'auth.jwtSecret', type: 'string' },
  ANJU_JWT_ISSUER: { key: 'auth.issuer', type: 'string' },
  ANJU_JWT_AUDIENCE: { key: 'auth.audience', type: 'string' },
} as const;
