import { UserError } from '../errors.ts';
import { JwtError, type JwtSettings, verifyJwt } from './jwt.ts';
import { OPEN_PRINCIPAL, type Principal, SERVICE_PRINCIPAL } from './principal.ts';
import { secretMatcher } from './secret-match.ts';

/**
 * Turns an Authorization header into a Principal, or throws a 401 UserError with a stable code:
 * CLOUD_AUTH_MISSING_TOKEN, CLOUD_AUTH_INVALID_TOKEN (not ours: forged, malformed, wrong algorithm),
 * CLOUD_AUTH_TOKEN_EXPIRED, …_NOT_YET_VALID, …_WRONG_AUDIENCE, …_WRONG_ISSUER, …_CLAIMS.
 * With neither an apiToken nor a JWT secret configured the API is open and everyone is an admin.
 */
export function createAuthenticator(o: {
  apiToken?: string | undefined;
  jwt?: JwtSettings | undefined;
  now?: () => number;
}) {
  const open = o.apiToken === undefined && o.jwt === undefined;
  const isServiceToken = o.apiToken === undefined ? undefined : secretMatcher(o.apiToken);
  const now = o.now ?? Date.now;
  return {
    open,
    authenticate(header: string | undefined): Principal {
      if (open) return OPEN_PRINCIPAL;
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!m) {
        throw new UserError(
          'CLOUD_AUTH_MISSING_TOKEN',
          'this API needs an Authorization: Bearer <token> header',
          401,
        );
      }
      const token = m[1]!;
      if (isServiceToken?.(token)) return SERVICE_PRINCIPAL;
      if (o.jwt && token.includes('.')) {
        try {
          return verifyJwt(token, o.jwt, now());
        } catch (err) {
          if (err instanceof JwtError) throw new UserError(err.code, err.message, 401);
          throw err;
        }
      }
      throw new UserError('CLOUD_AUTH_INVALID_TOKEN', 'the bearer token is not valid', 401);
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
