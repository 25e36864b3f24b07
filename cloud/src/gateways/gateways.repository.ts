import type { Heartbeat } from '../../../contracts/src/index.ts';
import { isoTime, isoTimeOrNull, type Queryable } from '../db/index.ts';
import type { Gateway } from './gateways.schemas.ts';

interface GatewayRow {
  id: string;
  resident_id: string;
  secret_hash: string;
  created_at: Date;
  connected: boolean;
  last_seen_at: Date | null;
  last_heartbeat_at: Date | null;
  last_heartbeat: Gateway['lastHeartbeat'];
  last_model_update?: Gateway['lastModelUpdate'];
}

const toGateway = (r: GatewayRow): Gateway => ({
  gatewayId: r.id,
  residentId: r.resident_id,
  createdAt: isoTime(r.created_at),
  connected: r.connected,
  lastSeenAt: isoTimeOrNull(r.last_seen_at),
  lastHeartbeatAt: isoTimeOrNull(r.last_heartbeat_at),
  lastHeartbeat: r.last_heartbeat ?? null,
  lastModelUpdate: r.last_model_update ?? null,
});

/** When a gateway counts as silent: its heartbeat interval (or this default) plus the grace. */
export interface HeartbeatTiming {
  defaultIntervalS: number;
  graceS: number;
}

export function createGatewaysRepository(
  db: Queryable,
  timing: HeartbeatTiming = { defaultIntervalS: 60, graceS: 30 },
) {
  return {
    /** Inserts the gateway; false when the id is taken. */
    async create(
      id: string,
      residentId: string,
      secretHash: string,
      tx: Queryable = db,
    ): Promise<Gateway | undefined> {
      const { rows } = await tx.query<GatewayRow>(
        `INSERT INTO gateways (id, resident_id, secret_hash) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [id, residentId, secretHash],
      );
      return rows[0] && toGateway(rows[0]);
    },

    async get(id: string): Promise<Gateway | undefined> {
      const { rows } = await db.query<GatewayRow>('SELECT * FROM gateways WHERE id = $1', [id]);
      return rows[0] && toGateway(rows[0]);
    },

    /** What the broker needs to authenticate and to check residents; never leaves the process. */
    async credentials(id: string): Promise<{ secretHash: string; residentId: string } | undefined> {
      const { rows } = await db.query<Pick<GatewayRow, 'secret_hash' | 'resident_id'>>(
        'SELECT secret_hash, resident_id FROM gateways WHERE id = $1',
        [id],
      );
      const r = rows[0];
      return r && { secretHash: r.secret_hash, residentId: r.resident_id };
    },

    /** Every gateway's id and stored secret hash, by id: what an external broker's password file needs. */
    async secretHashes(): Promise<{ gatewayId: string; secretHash: string }[]> {
      const { rows } = await db.query<Pick<GatewayRow, 'id' | 'secret_hash'>>(
        'SELECT id, secret_hash FROM gateways ORDER BY id',
      );
      return rows.map((r) => ({ gatewayId: r.id, secretHash: r.secret_hash }));
    },
    async residentOf(id: string, tx: Queryable = db): Promise<string | undefined> {
      const { rows } = await tx.query<{ resident_id: string }>(
        'SELECT resident_id FROM gateways WHERE id = $1',
        [id],
      );
      return rows[0]?.resident_id;
    },

    async setConnected(id: string, connected: boolean): Promise<void> {
      await db.query('UPDATE gateways SET connected = $2, last_seen_at = now() WHERE id = $1', [
        id,
        connected,
      ]);
    },

    /**
     * Records heartbeats (one per gateway, coalesced by supervision/heartbeat-batcher.ts) in ONE statement
     * and moves each gateway's silence deadline to its receipt + interval + grace (supervision costs
     * heartbeats nothing more). Returns the gateways found, each with `wasSilent` when its gateway_silent
     * fault is raised (supervision then clears it); a gateway not returned is not registered.
     */
    async recordHeartbeats(
      batch: readonly { hb: Heartbeat; at: Date }[],
    ): Promise<{ gatewayId: string; wasSilent: boolean }[]> {
      if (batch.length === 0) return [];
      const summaries = batch.map(({ hb }) =>
        JSON.stringify({
          sentAt: hb.sentAt,
          agentVersion: hb.agentVersion,
          uptimeS: hb.uptimeS,
          outboxDepth: hb.outboxDepth,
          drivers: hb.drivers,
          models: hb.models,
          batteryPct: hb.batteryPct,
          rssMb: hb.rssMb,
          cpuPct: hb.cpuPct,
          ...(hb.homeLearning ? { homeLearning: hb.homeLearning } : {}),
        }),
      );
      // Arrays without nulls (0 = the heartbeat did not say its interval): both back-ends bind them alike.
      const { rows } = await db.query<{ id: string; silent: boolean }>(
        `UPDATE gateways g SET last_heartbeat = b.summary::jsonb, last_heartbeat_at = b.at, last_seen_at = b.at,
           heartbeat_interval_s = nullif(b.interval_s, 0),
           silent_due_at = b.at + make_interval(secs => coalesce(nullif(b.interval_s, 0), $5::int) + $6::int)
         FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[]) AS b(id, summary, interval_s, at)
         WHERE g.id = b.id
         RETURNING g.id, g.silent_since IS NOT NULL AS silent`,
        [
          batch.map(({ hb }) => hb.gatewayId),
          summaries,
          batch.map(({ hb }) => hb.heartbeatIntervalS ?? 0),
          batch.map(({ at }) => at.toISOString()),
          timing.defaultIntervalS,
          timing.graceS,
        ],
      );
      return rows.map((r) => ({ gatewayId: r.id, wasSilent: r.silent }));
    },
  };
}

export type GatewaysRepository = ReturnType<typeof createGatewaysRepository>;
