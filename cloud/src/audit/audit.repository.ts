import { isoTime, jsonParam, type Queryable } from '../db/index.ts';
import type { AuditEntry, AuditOutcome, ListAuditQuery, NewAuditEntry } from './audit.schemas.ts';

interface AuditRow {
  id: string | number;
  at: Date;
  actor: string;
  role: string;
  credential: AuditEntry['credential'];
  actor_station_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  resident_id: string | null;
  target_station_id: string | null;
  request_id: string;
  method: string;
  route: string;
  status: number;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: String(r.id),
  at: isoTime(r.at),
  actor: r.actor,
  role: r.role,
  credential: r.credential,
  actorStationId: r.actor_station_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  residentId: r.resident_id,
  targetStationId: r.target_station_id,
  requestId: r.request_id,
  method: r.method,
  route: r.route,
  status: Number(r.status),
  outcome: r.outcome,
  detail: r.detail,
});

/** How a station-scoped reader sees a person of another station who asked about their records. */
export const REDACTED_ACTOR = '(another station)';

/** The audit log: append (in the caller's transaction when there is one) and read back. Never changed. */
export function createAuditRepository(db: Queryable) {
  return {
    async append(e: NewAuditEntry, tx: Queryable = db): Promise<void> {
      await tx.query(
        `INSERT INTO audit_log (actor, role, credential, actor_station_id, action, target_type, target_id,
                                resident_id, target_station_id, request_id, method, route, status, outcome, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb)`,
        [
          e.actor,
          e.role,
          e.credential,
          e.actorStationId,
          e.action,
          e.targetType,
          e.targetId,
          e.residentId,
          e.targetStationId,
          e.requestId,
          e.method,
          e.route,
          e.status,
          e.outcome,
          jsonParam(e.detail),
        ],
      );
    },

    /**
     * Newest first. `stationId`: only what concerns that station — its people's requests and requests
     * about its residents, workers and cases (a supervisor's view) — and redacted so that it never names
     * what that station may not see (issue 18; docs/security.md): the resident and station of a record of
     * another station (or of none) are left out, and so is its detail, exactly as for an id that names
     * nothing, so a refused cross-station request reads like a request for a missing id; a person of another
     * station who asked about this station's records is shown as REDACTED_ACTOR without their station. The
     * filters apply to what the reader sees, so they cannot probe what is redacted either.
     */
    async list(q: ListAuditQuery, scope: { stationId?: string | undefined } = {}): Promise<AuditEntry[]> {
      const { rows } = await db.query<AuditRow>(
        `SELECT * FROM (
           SELECT id, at, role, credential, action, target_type, target_id, request_id, method, route, status,
                  outcome, actor_station_id AS raw_actor_station, target_station_id AS raw_target_station,
                  CASE WHEN $1::text IS NULL OR actor_station_id IS NULL OR actor_station_id = $1
                       THEN actor ELSE $10 END AS actor,
                  CASE WHEN $1::text IS NULL OR actor_station_id = $1 THEN actor_station_id END AS actor_station_id,
                  CASE WHEN $1::text IS NULL OR target_station_id = $1 THEN resident_id END AS resident_id,
                  CASE WHEN $1::text IS NULL OR target_station_id = $1 THEN target_station_id END AS target_station_id,
                  CASE WHEN $1::text IS NULL OR target_station_id IS NULL OR target_station_id = $1
                       THEN detail ELSE '{}'::jsonb END AS detail
           FROM audit_log) seen
         WHERE ($1::text IS NULL OR raw_actor_station = $1 OR raw_target_station = $1)
           AND ($2::text IS NULL OR resident_id = $2)
           AND ($3::text IS NULL OR actor = $3)
           AND ($4::text IS NULL OR action = $4)
           AND ($5::text IS NULL OR target_type = $5)
           AND ($6::timestamptz IS NULL OR at >= $6)
           AND ($7::timestamptz IS NULL OR at < $7)
           AND ($8::bigint IS NULL OR id < $8)
         ORDER BY id DESC LIMIT $9`,
        [
          scope.stationId ?? null,
          q.residentId ?? null,
          q.actor ?? null,
          q.action ?? null,
          q.targetType ?? null,
          q.from ?? null,
          q.to ?? null,
          q.before ?? null,
          q.limit,
          REDACTED_ACTOR,
        ],
      );
      return rows.map(toEntry);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
