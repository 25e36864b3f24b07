import type { Queryable } from '../db/index.ts';
import type { ResolvedSupervision } from './supervision.config.ts';

/** A gateway whose silence deadline has passed, claimed by one replica (FOR UPDATE SKIP LOCKED). */
export interface DueGateway {
  gatewayId: string;
  residentId: string;
  lastHeartbeatAt: Date | null;
  intervalS: number;
  silentDueAt: Date;
  maintenanceUntil: Date | null;
}

/** A silent gateway heard again, its row locked for clearing. */
export interface SilentGateway {
  gatewayId: string;
  residentId: string;
  silentSince: Date;
}

export interface Maintenance {
  gatewayId: string;
  until: string | null;
  reason: string | null;
}

/**
 * The rows of gateway supervision (migration 009): each gateway's silence deadline (written by the
 * heartbeat, gateways.repository), the fault's state, planned outages, and the one-row clock that tells a
 * cloud outage from a silent gateway. Every statement of the job goes through the partial index
 * gateways_silent_due_idx: a tick with nothing due reads no gateway.
 */
export function createGatewaySilenceRepository(s: ResolvedSupervision) {
  /** `$n` (a time) + the gateway's interval + `graceS`, in SQL. */
  const fresh = (n: number, graceS = s.graceS) =>
    `$${n}::timestamptz + make_interval(secs => coalesce(heartbeat_interval_s, ${Number(s.defaultHeartbeatIntervalS)}) + ${Number(graceS)})`;

  return {
    /**
     * Records that a replica is looking now; returns how long nobody had (seconds; Infinity the first
     * time). Taken FOR UPDATE: replicas take turns, so exactly one of them sees an outage and grants grace.
     */
    async tick(tx: Queryable, now: Date): Promise<number> {
      const { rows } = await tx.query<{ last: Date }>(
        'SELECT last_tick_at AS last FROM supervision_clock WHERE id = 1 FOR UPDATE',
      );
      const last = rows[0]?.last;
      await tx.query(
        `INSERT INTO supervision_clock (id, last_tick_at) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET last_tick_at = greatest(supervision_clock.last_tick_at, $1)`,
        [now],
      );
      return last ? (now.getTime() - last.getTime()) / 1000 : Number.POSITIVE_INFINITY;
    },

    /**
     * After an outage of the cloud (or of its broker link) no gateway could be heard: each deadline that
     * would fall before now + restartGraceS + interval + graceS moves there — the time the fleet gets to
     * reconnect (restartGraceS), then to send its next heartbeat (interval + grace). Per gateway: one
     * heard since has an ordinary deadline again, one never heard is silent at this one. Returns how
     * many moved.
     */
    async graceAll(tx: Queryable, now: Date): Promise<number> {
      const due = fresh(1, s.restartGraceS + s.graceS);
      const r = await tx.query(
        `UPDATE gateways SET silent_due_at = ${due}
         WHERE silent_since IS NULL AND silent_due_at IS NOT NULL AND silent_due_at < ${due}`,
        [now],
      );
      return r.rowCount;
    },

    /** Locks up to `limit` gateways whose deadline has passed and that no other replica holds. */
    async claimDue(tx: Queryable, now: Date, limit: number): Promise<DueGateway[]> {
      const { rows } = await tx.query<{
        id: string;
        resident_id: string;
        last_heartbeat_at: Date | null;
        interval_s: number;
        silent_due_at: Date;
        maintenance_until: Date | null;
      }>(
        `SELECT id, resident_id, last_heartbeat_at, silent_due_at, maintenance_until,
                coalesce(heartbeat_interval_s, $3::int) AS interval_s
         FROM gateways WHERE silent_since IS NULL AND silent_due_at <= $1
         ORDER BY silent_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, limit, s.defaultHeartbeatIntervalS],
      );
      return rows.map((r) => ({
        gatewayId: r.id,
        residentId: r.resident_id,
        lastHeartbeatAt: r.last_heartbeat_at,
        intervalS: Number(r.interval_s),
        silentDueAt: r.silent_due_at,
        maintenanceUntil: r.maintenance_until,
      }));
    },

    /** A planned outage: look again when it ends plus a fresh interval and grace. */
    async deferToMaintenanceEnd(tx: Queryable, gatewayId: string, until: Date): Promise<void> {
      await tx.query(`UPDATE gateways SET silent_due_at = ${fresh(2)} WHERE id = $1`, [gatewayId, until]);
    },

    async markSilent(tx: Queryable, gatewayId: string, now: Date): Promise<void> {
      await tx.query('UPDATE gateways SET silent_since = $2 WHERE id = $1', [gatewayId, now]);
    },

    /** Locks the gateway if its fault is raised (for clearing); undefined otherwise. */
    async lockSilent(tx: Queryable, gatewayId: string): Promise<SilentGateway | undefined> {
      const { rows } = await tx.query<{ id: string; resident_id: string; silent_since: Date }>(
        `SELECT id, resident_id, silent_since FROM gateways
         WHERE id = $1 AND silent_since IS NOT NULL FOR UPDATE`,
        [gatewayId],
      );
      const r = rows[0];
      return r && { gatewayId: r.id, residentId: r.resident_id, silentSince: r.silent_since };
    },

    async markHeard(tx: Queryable, gatewayId: string): Promise<void> {
      await tx.query('UPDATE gateways SET silent_since = NULL WHERE id = $1', [gatewayId]);
    },

    /** Sets or (until null) clears a planned outage; undefined when there is no such gateway. */
    async setMaintenance(
      tx: Queryable,
      gatewayId: string,
      until: Date | null,
      reason: string | null,
    ): Promise<Maintenance | undefined> {
      const { rows } = await tx.query<{
        id: string;
        maintenance_until: Date | null;
        maintenance_reason: string | null;
      }>(
        `UPDATE gateways SET maintenance_until = $2, maintenance_reason = $3 WHERE id = $1
         RETURNING id, maintenance_until, maintenance_reason`,
        [gatewayId, until, reason],
      );
      const r = rows[0];
      return (
        r && {
          gatewayId: r.id,
          until: r.maintenance_until ? r.maintenance_until.toISOString() : null,
          reason: r.maintenance_reason,
        }
      );
    },
  };
}

export type GatewaySilenceRepository = ReturnType<typeof createGatewaySilenceRepository>;
