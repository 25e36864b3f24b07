import type { Queryable } from '../db/index.ts';
import { ConflictError, type ErrorCode, NotFoundError, type UserError } from '../errors.ts';
import type { ScopeRef, ScopeType } from './permissions.ts';
import type { Principal } from './principal.ts';

/** Where a record belongs: its resident (personal data) and station, as far as they are known. */
export interface Owner {
  residentId: string | null;
  stationId: string | null;
}

/** One statement per kind of id: the record's resident and station, or no row when it does not exist. */
const OWNER_SQL: Readonly<Record<ScopeType, string>> = {
  resident: 'SELECT id AS resident_id, station_id FROM residents WHERE id = $1',
  case: `SELECT c.resident_id, r.station_id FROM cases c JOIN residents r ON r.id = c.resident_id
         WHERE c.id = $1`,
  gateway: `SELECT g.resident_id, r.station_id FROM gateways g JOIN residents r ON r.id = g.resident_id
            WHERE g.id = $1`,
  worker: 'SELECT NULL AS resident_id, station_id FROM workers WHERE id = $1',
  station: 'SELECT NULL AS resident_id, id AS station_id FROM stations WHERE id = $1',
};

/**
 * What the caller would be told if the id did not exist: the same code and status the route answers
 * for a missing record, so a record of another station cannot be told apart from no record at all.
 * Also what each route's OpenAPI entry lists for its scoped ids (http/access-control.ts).
 */
export function missingAnswer(ref: ScopeRef): { status: 404 | 409; code: ErrorCode; what: string } {
  switch (ref.type) {
    case 'resident':
      return { status: 404, code: 'CLOUD_RESIDENT_NOT_FOUND', what: 'resident' };
    case 'case':
      return { status: 404, code: 'CLOUD_CASE_NOT_FOUND', what: 'case' };
    case 'gateway':
      return { status: 404, code: 'CLOUD_GATEWAY_NOT_FOUND', what: 'gateway' };
    case 'worker':
      return { status: 404, code: 'CLOUD_WORKER_NOT_FOUND', what: 'worker' };
    case 'station':
      // A stationId in a body that names no station is a 409 (its foreign key), in a path a 404.
      return {
        status: ref.missingStatus ?? (ref.from === 'body' ? 409 : 404),
        code: 'CLOUD_STATION_NOT_FOUND',
        what: 'station',
      };
  }
}

function missing(ref: ScopeRef, id: string): UserError {
  const a = missingAnswer(ref);
  const message = `${a.what} ${id} not found`;
  return a.status === 409 ? new ConflictError(a.code, message) : new NotFoundError(a.code, message);
}

/**
 * The station a caller's lists are limited to; undefined = every station (admin). A caller without a
 * station (a guardian) gets '', which names no station, so such a list is empty rather than everything.
 */
export function stationScope(p: Principal): string | undefined {
  return p.role === 'admin' ? undefined : (p.stationId ?? '');
}

/**
 * Checks the ids a request names (the permission table's scope) against the caller: admins see every
 * station, desk/worker/supervisor only their own, a guardian only their resident's records. Anything
 * else answers as if it did not exist. Returns the owner of the first id found, for the audit log.
 */
export function createScopeChecker(db: Queryable) {
  async function owner(type: ScopeType, id: string): Promise<Owner | undefined> {
    const { rows } = await db.query<{ resident_id: string | null; station_id: string | null }>(
      OWNER_SQL[type],
      [id],
    );
    return rows[0] && { residentId: rows[0].resident_id, stationId: rows[0].station_id };
  }

  /** The resident a guardian record belongs to. */
  async function residentOfGuardian(guardianId: string): Promise<string | undefined> {
    const { rows } = await db.query<{ resident_id: string }>(
      'SELECT resident_id FROM guardians WHERE id = $1',
      [guardianId],
    );
    return rows[0]?.resident_id;
  }

  async function visible(p: Principal, o: Owner): Promise<boolean> {
    if (p.role === 'admin') return true;
    if (p.role === 'guardian') {
      return o.residentId !== null && o.residentId === (await residentOfGuardian(p.guardianId ?? ''));
    }
    return o.stationId !== null && o.stationId === p.stationId;
  }

  return {
    residentOfGuardian,

    /**
     * Checks every id of `refs` found in `parts` (params, body, querystring). A station user's missing
     * body/query `stationId` is set to their own station (they register residents there, see its figures).
     */
    async check(
      p: Principal,
      refs: readonly ScopeRef[],
      parts: Record<ScopeRef['from'], unknown>,
      /** Told each owner found, visible or not: the audit log records whose record was asked for. */
      seen?: (o: Owner) => void,
    ): Promise<Owner | undefined> {
      let first: Owner | undefined;
      for (const ref of refs) {
        const holder = parts[ref.from] as Record<string, unknown> | undefined;
        let id = holder?.[ref.key];
        if (
          id === undefined &&
          ref.type === 'station' &&
          ref.from !== 'params' &&
          p.stationId !== null &&
          holder
        ) {
          holder[ref.key] = p.stationId;
          id = p.stationId;
        }
        if (typeof id !== 'string') continue;
        if (ref.type === 'station' && p.role !== 'admin') {
          // No lookup needed: a station user may only ever name their own station.
          if (!first) seen?.({ residentId: null, stationId: id });
          if (id !== p.stationId) throw missing(ref, id);
          first ??= { residentId: null, stationId: id };
          continue;
        }
        // Admins: filters and body ids that name nothing are the route's to answer (empty list, 409 …).
        if (ref.type === 'station') continue;
        const o = await owner(ref.type, id);
        if (!o) {
          if (p.role === 'admin' && ref.from !== 'params') continue;
          throw missing(ref, id);
        }
        if (!first) seen?.(o);
        if (!(await visible(p, o))) throw missing(ref, id);
        first ??= o;
      }
      return first;
    },
  };
}

export type ScopeChecker = ReturnType<typeof createScopeChecker>;
