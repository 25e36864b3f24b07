import type { Role } from './principal.ts';

/**
 * The permission table of the REST API: for every route, who may call it, what the audit log calls the
 * request, and which ids in the request must belong to the caller's station (or, for a guardian, to
 * their resident). A route with no line here refuses to start the server — nothing is open by mistake.
 *
 * A new route declares itself with ONE line, keyed by `METHOD url` exactly as registered:
 *   'POST /enrol': OPEN,                                                    // the route authenticates itself
 *   'GET /residents/:id': allow(STAFF, 'read', 'resident', param('resident')),
 */

/** What an id in a request names; each has one lookup of its station (and resident) in scope.ts. */
export type ScopeType = 'resident' | 'case' | 'gateway' | 'worker' | 'station';

/** An id in the request that must be visible to the caller; otherwise 404, as if it did not exist. */
export interface ScopeRef {
  readonly type: ScopeType;
  readonly from: 'params' | 'body' | 'querystring';
  readonly key: string;
  /**
   * The status the route answers for an id that names nothing, so another station's id gets the same:
   * 404, except a stationId in a body, which is a foreign key (409) unless the route says otherwise.
   */
  readonly missingStatus?: 404 | 409;
}

export type Access =
  | { readonly open: true }
  | {
      readonly open: false;
      readonly roles: readonly Role[];
      /** The audit log's verb: read, list, create, update, transition, acknowledge. */
      readonly action: string;
      /** The audit log's noun: resident, case, guardian, worker, … */
      readonly target: string;
      readonly scope: readonly ScopeRef[];
    };

/** No token needed: probes, docs, and webhooks that authenticate their callers themselves. */
export const OPEN: Access = { open: true };

export const allow = (
  roles: readonly Role[],
  action: string,
  target: string,
  ...scope: ScopeRef[]
): Access => ({ open: false, roles, action, target, scope });

export const param = (type: ScopeType, key = 'id'): ScopeRef => ({ type, from: 'params', key });
export const body = (type: ScopeType, key: string, missingStatus?: 404 | 409): ScopeRef =>
  missingStatus === undefined ? { type, from: 'body', key } : { type, from: 'body', key, missingStatus };
export const query = (type: ScopeType, key: string): ScopeRef => ({ type, from: 'querystring', key });

/** Everyone who works for a station, and admins. */
export const STAFF: readonly Role[] = ['admin', 'desk', 'worker', 'supervisor'];
/** The station's office: registers residents, guardians and gateways, sees texts and figures. */
export const OFFICE: readonly Role[] = ['admin', 'desk', 'supervisor'];
/** Who manages people and reads the audit log. */
export const MANAGERS: readonly Role[] = ['admin', 'supervisor'];
export const ADMIN: readonly Role[] = ['admin'];
export const GUARDIAN: readonly Role[] = ['guardian'];

export const PERMISSIONS: Readonly<Record<string, Access>> = {
  // ops and docs; `*` matches the rest of the path
  'GET /health': OPEN,
  'GET /metrics': OPEN,
  'GET /docs*': OPEN,
  // SMS providers cannot send our token: each webhook checks a signature or URL token (notify/providers/)
  'POST /webhooks/sms/*': OPEN,

  'POST /stations': allow(ADMIN, 'create', 'station'),
  'GET /stations': allow(STAFF, 'list', 'station'),
  'GET /stations/:id': allow(STAFF, 'read', 'station', param('station')),
  'GET /stations/:id/workers': allow(STAFF, 'list', 'worker', param('station')),

  'POST /workers': allow(MANAGERS, 'create', 'worker', body('station', 'stationId')),
  'GET /workers/:id': allow(STAFF, 'read', 'worker', param('worker')),
  'PUT /workers/:id/shifts': allow(OFFICE, 'update', 'roster', param('worker')),

  'POST /residents': allow(OFFICE, 'create', 'resident', body('station', 'stationId')),
  'GET /residents/:id': allow(STAFF, 'read', 'resident', param('resident')),
  'PATCH /residents/:id': allow(
    OFFICE,
    'update',
    'resident',
    param('resident'),
    body('station', 'stationId'),
  ),
  'POST /residents/:id/guardians': allow(OFFICE, 'create', 'guardian', param('resident')),
  'GET /residents/:id/guardians': allow(STAFF, 'list', 'guardian', param('resident')),

  'POST /gateways': allow(OFFICE, 'create', 'gateway', body('resident', 'residentId')),
  'POST /enrolment-codes': allow(
    OFFICE,
    'create',
    'enrolment_code',
    body('station', 'stationId', 404),
    body('resident', 'residentId'),
  ),
  // the one-time code is the gateway's credential (enrolment/)
  'POST /enrol': OPEN,
  'GET /gateways/:id': allow(OFFICE, 'read', 'gateway', param('gateway')),
  'PUT /gateways/:id/maintenance': allow(OFFICE, 'update', 'gateway_maintenance', param('gateway')),
  'DELETE /gateways/:id/maintenance': allow(OFFICE, 'update', 'gateway_maintenance', param('gateway')),
  'PUT /residents/:id/vitals-limits': allow(OFFICE, 'update', 'vitals_limits', param('resident')),
  'GET /residents/:id/vitals-limits': allow(OFFICE, 'read', 'vitals_limits', param('resident')),

  'GET /cases': allow(STAFF, 'list', 'case', query('resident', 'residentId')),
  'GET /cases/:id': allow(STAFF, 'read', 'case', param('case')),
  'POST /cases/:id/ack': allow(STAFF, 'acknowledge', 'case', param('case')),
  'POST /cases/:id/transitions': allow(STAFF, 'transition', 'case', param('case')),

  'GET /guardian/cases': allow(GUARDIAN, 'list', 'case'),
  'GET /guardian/cases/:id': allow(GUARDIAN, 'read', 'case', param('case')),
  'POST /guardian/cases/:id/transitions': allow(GUARDIAN, 'transition', 'case', param('case')),

  'GET /notifications': allow(OFFICE, 'list', 'notification', query('case', 'caseId')),
  'GET /quality/workers': allow(OFFICE, 'read', 'quality', query('station', 'stationId')),
  'GET /quality/stations': allow(OFFICE, 'read', 'quality', query('station', 'stationId')),

  'GET /audit': allow(MANAGERS, 'list', 'audit_log', query('resident', 'residentId')),

  'GET /cases/:id/surveys': allow(OFFICE, 'list', 'survey', param('case')),
  'GET /cases/:id/complaints': allow(OFFICE, 'list', 'complaint', param('case')),
  'POST /cases/:id/complaints': allow(OFFICE, 'create', 'complaint', param('case')),

  'POST /models': allow(ADMIN, 'create', 'model'),
  'GET /models': allow(ADMIN, 'list', 'model'),
  'GET /models/:name/:version': allow(ADMIN, 'read', 'model'),
  'POST /models/:name/:version/deploy': allow(ADMIN, 'deploy', 'model'),
  'GET /model-updates': allow(ADMIN, 'list', 'model_update'),
  // gateways fetch bundles with their own MQTT credentials (HTTP Basic, models/models.routes.ts)
  'GET /gateway-models/*': OPEN,

  // the web console (console/): its files are public, its data comes through the routes above and these
  'GET /': OPEN,
  'GET /console': OPEN,
  'GET /console/*': OPEN,
  // the password is the credential (rate-limited, scrypt, lock-out: console/console-auth.routes.ts)
  'POST /console-api/login': OPEN,
  'GET /console-api/session': allow(STAFF, 'read', 'session'),
  'POST /console-api/logout': allow(STAFF, 'logout', 'session'),
  'GET /console-api/users': allow(MANAGERS, 'list', 'console_user'),
  'POST /console-api/users': allow(MANAGERS, 'create', 'console_user', body('station', 'stationId', 404)),
  'PATCH /console-api/users/:username': allow(MANAGERS, 'update', 'console_user'),
  'GET /console-api/queue': allow(STAFF, 'list', 'case'),
  'GET /console-api/stream': allow(STAFF, 'list', 'case'),
  'GET /console-api/workers': allow(OFFICE, 'list', 'worker', query('station', 'stationId')),
  'PATCH /console-api/workers/:id': allow(MANAGERS, 'update', 'worker', param('worker')),
  'GET /console-api/residents': allow(OFFICE, 'list', 'resident'),
  'POST /console-api/cases': allow(OFFICE, 'create', 'case', body('resident', 'residentId')),
  'POST /console-api/cases/:id/referrals': allow(OFFICE, 'create', 'referral', param('case')),
  'GET /console-api/referrals': allow(OFFICE, 'list', 'referral'),
  // complaints are checked against the caller's station by their case (console/workflow.routes.ts)
  'GET /console-api/complaints': allow(OFFICE, 'list', 'complaint'),
  'PATCH /console-api/complaints/:id': allow(OFFICE, 'update', 'complaint'),
  'POST /console-api/complaints/:id/reply': allow(OFFICE, 'update', 'complaint'),
  // a texted link is the credential of exactly one case (console/signed-link.ts); audited as `link`
  'GET /console-api/link': OPEN,
  'POST /console-api/link/actions': OPEN,
};

/** The table's entry for a registered route (HEAD answers like GET); undefined = not declared. */
export function accessFor(
  method: string,
  url: string,
  table: Readonly<Record<string, Access>> = PERMISSIONS,
): Access | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  const exact = table[`${m} ${url}`];
  if (exact) return exact;
  for (const [key, access] of Object.entries(table)) {
    if (!key.endsWith('*')) continue;
    const prefix = key.slice(0, -1);
    if (`${m} ${url}`.startsWith(prefix)) return access;
  }
  return undefined;
}
