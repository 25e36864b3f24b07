import type { Heartbeat } from '../../../contracts/src/index.ts';
import { isoTime, isoTimeOrNull, jsonParam, type Queryable } from '../db/index.ts';
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
     * Records a heartbeat and moves the gateway's silence deadline to now + interval + grace (one
     * statement: supervision costs heartbeats nothing more). Undefined when the gateway is not registered;
     * `wasSilent` when its gateway_silent fault is raised (supervision then clears it).
     */
    async recordHeartbeat(hb: Heartbeat): Promise<{ wasSilent: boolean } | undefined> {
      const { sentAt, agentVersion, uptimeS, outboxDepth, drivers, models, batteryPct, rssMb, cpuPct } = hb;
      const summary = {
        sentAt,
        agentVersion,
        uptimeS,
        outboxDepth,
        drivers,
        models,
        batteryPct,
        rssMb,
        cpuPct,
        ...(hb.homeLearning ? { homeLearning: hb.homeLearning } : {}),
      };
      const { rows } = await db.query<{ silent: boolean }>(
        `UPDATE gateways SET last_heartbeat = $2::jsonb, last_heartbeat_at = now(), last_seen_at = now(),
           heartbeat_interval_s = $3::int,
           silent_due_at = now() + make_interval(secs => coalesce($3::int, $4::int) + $5::int)
         WHERE id = $1 RETURNING silent_since IS NOT NULL AS silent`,
        [
          hb.gatewayId,
          jsonParam(summary),
          hb.heartbeatIntervalS ?? null,
          timing.defaultIntervalS,
          timing.graceS,
        ],
      );
      return rows[0] && { wasSilent: rows[0].silent };
    },
  };
}

export type GatewaysRepository = ReturnType<typeof createGatewaysRepository>;
