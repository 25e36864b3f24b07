import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { isRole, type Principal, type Role, STATION_ROLES } from './principal.ts';

/**
 * HS256 JSON Web Tokens (RFC 7519) for the REST API, on node:crypto: one algorithm, one key, checked the
 * way RFC 8725 (JWT best current practices) asks — the algorithm is pinned (§3.1: a token saying
 * `none`, `HS512` or anything else is refused before its signature is looked at), the issuer and the
 * audience are checked (§3.8, §3.9), and `exp` is required.
 */

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits. */
export const MIN_SECRET_BYTES = 32;
/** A bearer header beyond this is not one of ours; refused before any parsing. */
const MAX_TOKEN_CHARS = 4096;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** Clock difference tolerated on exp, nbf and iat, in seconds. */
  clockSkewS: number;
  /** The longest lifetime a token may claim (exp − iat), in seconds: no forever tokens. */
  maxTtlS: number;
}

export type JwtErrorCode =
  | 'CLOUD_AUTH_INVALID_TOKEN'
  | 'CLOUD_AUTH_TOKEN_EXPIRED'
  | 'CLOUD_AUTH_TOKEN_NOT_YET_VALID'
  | 'CLOUD_AUTH_TOKEN_WRONG_AUDIENCE'
  | 'CLOUD_AUTH_TOKEN_WRONG_ISSUER'
  | 'CLOUD_AUTH_TOKEN_CLAIMS';

/** Why a token was refused; always answered 401 with `code`. */
export class JwtError extends Error {
  constructor(
    readonly code: JwtErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'JwtError';
  }
}

/** What `anju-cloud token` puts in a token besides iss, aud, iat, nbf, exp and jti. */
export interface TokenSubject {
  sub: string;
  role: Role;
  /** Required for desk, worker and supervisor. */
  station?: string | undefined;
  /** Required for guardian: the guardian record (GET /residents/:id/guardians) the token speaks for. */
  guardian?: string | undefined;
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const sign = (secret: string, input: string) => createHmac('sha256', secret).update(input).digest();

/** Checks the subject's claims are complete for its role (used when minting and when verifying). */
export function subjectProblem(s: {
  sub?: unknown;
  role?: unknown;
  station?: unknown;
  guardian?: unknown;
}): string | undefined {
  const id = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 128;
  if (!id(s.sub)) return 'sub must be a string of 1-128 characters';
  if (!isRole(s.role)) return 'role must be one of admin, desk, worker, supervisor, guardian';
  if (STATION_ROLES.includes(s.role) && !id(s.station)) return `a ${s.role} token must name its station`;
  if (s.role === 'guardian' && !id(s.guardian)) return 'a guardian token must name its guardian id';
  return undefined;
}

/** Mints a token valid from now (minus nothing) for `ttlS` seconds. */
export function signJwt(
  subject: TokenSubject,
  settings: Pick<JwtSettings, 'secret' | 'issuer' | 'audience'>,
  ttlS: number,
  nowMs = Date.now(),
): string {
  const problem = subjectProblem(subject);
  if (problem) throw new Error(problem);
  const iat = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      iss: settings.issuer,
      aud: settings.audience,
      sub: subject.sub,
      role: subject.role,
      ...(subject.station !== undefined && STATION_ROLES.includes(subject.role)
        ? { station: subject.station }
        : {}),
      ...(subject.guardian !== undefined && subject.role === 'guardian'
        ? { guardian: subject.guardian }
        : {}),
      iat,
      nbf: iat,
      exp: iat + ttlS,
      jti: randomUUID(),
    }),
  );
  return `${header}.${payload}.${b64url(sign(settings.secret, `${header}.${payload}`))}`;
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('CLOUD_AUTH_INVALID_TOKEN', `the token's ${what} is not base64url JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new JwtError('CLOUD_AUTH_INVALID_TOKEN', `the token's ${what} is not a JSON object`);
  }
  return v as Record<string, unknown>;
}

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Verifies `token` and returns who it speaks for, or throws a JwtError naming why not. Order matters:
 * the header's algorithm and the signature are checked before any claim is believed.
 */
export function verifyJwt(token: string, settings: JwtSettings, nowMs = Date.now()): Principal {
  if (token.length > MAX_TOKEN_CHARS) throw new JwtError('CLOUD_AUTH_INVALID_TOKEN', 'the token is too long');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) {
    throw new JwtError(
      'CLOUD_AUTH_INVALID_TOKEN',
      'the token is not a signed JWT (header.payload.signature)',
    );
  }
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h, 'header');
  // RFC 8725 §3.1: only the one algorithm we use; `none` and algorithm confusion end here.
  if (header.alg !== 'HS256') {
    throw new JwtError(
      'CLOUD_AUTH_INVALID_TOKEN',
      `the token's algorithm must be HS256, not ${String(header.alg)}`,
    );
  }
  if (header.typ !== undefined && header.typ !== 'JWT') {
    throw new JwtError('CLOUD_AUTH_INVALID_TOKEN', 'the token type must be JWT');
  }
  // RFC 7515 §4.1.11: extensions we do not understand must make the token invalid.
  if (header.crit !== undefined)
    throw new JwtError('CLOUD_AUTH_INVALID_TOKEN', 'critical header extensions are not supported');
  // Compared as canonical base64url text: a signature with other trailing bits is not the same token.
  const expected = Buffer.from(b64url(sign(settings.secret, `${h}.${p}`)));
  const given = Buffer.from(s);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new JwtError('CLOUD_AUTH_INVALID_TOKEN', 'the token signature does not match');
  }

  const claims = decodeJson(p, 'payload');
  const now = nowMs / 1000;
  const skew = settings.clockSkewS;
  if (claims.iss !== settings.issuer)
    throw new JwtError('CLOUD_AUTH_TOKEN_WRONG_ISSUER', 'the token was issued for another service');
  const aud = claims.aud;
  if (!(aud === settings.audience || (Array.isArray(aud) && aud.includes(settings.audience)))) {
    throw new JwtError('CLOUD_AUTH_TOKEN_WRONG_AUDIENCE', 'the token is meant for another audience');
  }
  if (!isNumericDate(claims.exp))
    throw new JwtError('CLOUD_AUTH_TOKEN_CLAIMS', 'the token has no expiry (exp)');
  if (now > claims.exp + skew) throw new JwtError('CLOUD_AUTH_TOKEN_EXPIRED', 'the token has expired');
  if (claims.nbf !== undefined) {
    if (!isNumericDate(claims.nbf))
      throw new JwtError('CLOUD_AUTH_TOKEN_CLAIMS', 'nbf must be a NumericDate');
    if (now + skew < claims.nbf)
      throw new JwtError('CLOUD_AUTH_TOKEN_NOT_YET_VALID', 'the token is not valid yet');
  }
  if (claims.iat !== undefined) {
    if (!isNumericDate(claims.iat))
      throw new JwtError('CLOUD_AUTH_TOKEN_CLAIMS', 'iat must be a NumericDate');
    if (claims.iat > now + skew)
      throw new JwtError('CLOUD_AUTH_TOKEN_NOT_YET_VALID', 'the token was issued in the future');
  }
  const issuedAt = isNumericDate(claims.iat) ? claims.iat : now;
  if (claims.exp - issuedAt > settings.maxTtlS) {
    throw new JwtError(
      'CLOUD_AUTH_TOKEN_CLAIMS',
      `the token lives longer than the allowed ${settings.maxTtlS} s`,
    );
  }
  const problem = subjectProblem(claims);
  if (problem) throw new JwtError('CLOUD_AUTH_TOKEN_CLAIMS', problem);
  const role = claims.role as Role;
  return {
    sub: claims.sub as string,
    role,
    stationId: STATION_ROLES.includes(role) ? (claims.station as string) : null,
    guardianId: role === 'guardian' ? (claims.guardian as string) : null,
    via: 'jwt',
  };
}
