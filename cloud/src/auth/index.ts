export { assertActsAsSelf } from './actor.ts';
export { AuthConfig, authEnvOverrides } from './auth.config.ts';
export { DEFAULT_AUDIENCE, DEFAULT_ISSUER, jwtSettings } from './auth-settings.ts';
export { type Authenticator, createAuthenticator } from './authenticate.ts';
export {
  JwtError,
  type JwtSettings,
  MIN_SECRET_BYTES,
  signJwt,
  type TokenSubject,
  verifyJwt,
} from './jwt.ts';
export { type MintOptions, mintToken, parseTtl } from './mint-token.ts';
export { type Access, accessFor, PERMISSIONS } from './permissions.ts';
export { isRole, type Principal, ROLES, type Role, STATION_ROLES } from './principal.ts';
export { createScopeChecker, missingAnswer, type Owner, type ScopeChecker, stationScope } from './scope.ts';
