/**
 * Who is calling the REST API. People carry a JWT naming their role (and station or guardian); tools and
 * the test harness may use the shared service token (`apiToken`), which acts as an admin.
 */
export const ROLES = ['admin', 'desk', 'worker', 'supervisor', 'guardian'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that belong to a street station: their token names it, and they see only its records. */
export const STATION_ROLES: readonly Role[] = ['desk', 'worker', 'supervisor'];

export const isRole = (v: unknown): v is Role =>
  typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export interface Principal {
  /** The user id (`sub`): a worker's id for workers, an operator or guardian account name otherwise. */
  readonly sub: string;
  readonly role: Role;
  /** The station a desk, worker or supervisor belongs to; null for admins and guardians. */
  readonly stationId: string | null;
  /** The guardian record a guardian token speaks for; null otherwise. */
  readonly guardianId: string | null;
  /**
   * How the caller proved it: a JWT, the shared service token, nothing (API left open), a web console
   * session cookie, or a signed case link texted to a worker or guardian (console/).
   */
  readonly via: 'jwt' | 'api-token' | 'open' | 'session' | 'link';
}

/** The shared service token (`apiToken`): an admin, so existing tools and tests keep working. */
export const SERVICE_PRINCIPAL: Principal = {
  sub: 'service-token',
  role: 'admin',
  stationId: null,
  guardianId: null,
  via: 'api-token',
};

/** No apiToken and no JWT secret configured: the API is open (development only; logged at start). */
export const OPEN_PRINCIPAL: Principal = {
  sub: 'anonymous',
  role: 'admin',
  stationId: null,
  guardianId: null,
  via: 'open',
};
