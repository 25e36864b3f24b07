import { ConfigError } from '../core/config-error.ts';
import type { AuthConfig } from './auth.config.ts';
import { type JwtSettings, MIN_SECRET_BYTES } from './jwt.ts';

export const DEFAULT_ISSUER = 'anju-cloud';
export const DEFAULT_AUDIENCE = 'anju-api';

/**
 * The JWT settings from the `auth` block, with defaults; undefined when there is none. A key shorter than
 * 256 bits is refused here, at start-up, with an error that says how to make a good one.
 */
export function jwtSettings(auth: Readonly<AuthConfig> | undefined): JwtSettings | undefined {
  if (!auth) return undefined;
  const bytes = Buffer.byteLength(auth.jwtSecret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    throw new ConfigError([
      `auth.jwtSecret (env ANJU_JWT_SECRET): ${bytes} bytes is too short; HS256 needs at least ${MIN_SECRET_BYTES} bytes (256 bits, RFC 7518 §3.2) — generate one with \`openssl rand -base64 48\``,
    ]);
  }
  return {
    secret: auth.jwtSecret,
    issuer: auth.issuer ?? DEFAULT_ISSUER,
    audience: auth.audience ?? DEFAULT_AUDIENCE,
    clockSkewS: auth.clockSkewS ?? 30,
    maxTtlS: auth.maxTtlS ?? 30 * 86_400,
  };
}
