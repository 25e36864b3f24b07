import { ConfigError } from '../core/config-error.ts';
import { UserError } from '../errors.ts';
import type { AuthConfig } from './auth.config.ts';
import { jwtSettings } from './auth-settings.ts';
import { signJwt, subjectProblem } from './jwt.ts';
import { isRole, ROLES, type Role } from './principal.ts';

const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** '90s', '30m', '8h', '7d' → seconds; anything else is a UserError naming the expected form. */
export function parseTtl(text: string): number {
  const m = /^([1-9][0-9]{0,6})([smhd])$/.exec(text.trim());
  if (!m)
    throw new UserError(
      'CLOUD_TOKEN_BAD_TTL',
      `--ttl ${text}: expected a number and a unit, e.g. 90s, 30m, 8h, 7d`,
    );
  return Number(m[1]) * UNIT_S[m[2] as keyof typeof UNIT_S];
}

export interface MintOptions {
  role: string;
  sub: string;
  station?: string | undefined;
  guardian?: string | undefined;
  ttl: string;
}

/**
 * A token for one person, signed with the configured key: what `anju-cloud token` prints. Refuses what
 * the API would refuse anyway (unknown role, a desk without a station, a lifetime beyond auth.maxTtlS).
 */
export function mintToken(
  config: Readonly<{ auth?: AuthConfig | undefined }>,
  o: MintOptions,
  nowMs = Date.now(),
): { token: string; expiresAt: Date; role: Role } {
  const settings = jwtSettings(config.auth);
  if (!settings) {
    throw new ConfigError([
      'auth.jwtSecret (env ANJU_JWT_SECRET) is not set: the cloud could not check a token, so none is minted',
    ]);
  }
  if (!isRole(o.role))
    throw new UserError('CLOUD_TOKEN_BAD_ROLE', `--role ${o.role}: expected one of ${ROLES.join(', ')}`);
  const subject = { sub: o.sub, role: o.role, station: o.station, guardian: o.guardian };
  const problem = subjectProblem(subject);
  if (problem) throw new UserError('CLOUD_TOKEN_BAD_SUBJECT', `${problem} (--sub, --station, --guardian)`);
  if (o.role === 'admin' && o.station !== undefined) {
    throw new UserError('CLOUD_TOKEN_BAD_SUBJECT', 'an admin token has no --station: it sees every station');
  }
  if (o.role === 'guardian' && o.station !== undefined) {
    throw new UserError('CLOUD_TOKEN_BAD_SUBJECT', 'a guardian token has no --station, only --guardian');
  }
  if (o.role !== 'guardian' && o.guardian !== undefined) {
    throw new UserError('CLOUD_TOKEN_BAD_SUBJECT', 'only a guardian token names a --guardian');
  }
  const ttlS = parseTtl(o.ttl);
  if (ttlS > settings.maxTtlS) {
    throw new UserError(
      'CLOUD_TOKEN_BAD_TTL',
      `--ttl ${o.ttl} is longer than auth.maxTtlS (${settings.maxTtlS} s)`,
    );
  }
  const token = signJwt(subject, settings, ttlS, nowMs);
  return { token, expiresAt: new Date(Math.floor(nowMs / 1000) * 1000 + ttlS * 1000), role: o.role };
}
