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

export function createGatewaysRepository(db: Queryable) {
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

    /** Records a heartbeat; false when the gateway is not registered. */
    async recordHeartbeat(hb: Heartbeat): Promise<boolean> {
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
      };
      const r = await db.query(
        `UPDATE gateways SET last_heartbeat = $2::jsonb, last_heartbeat_at = now(), last_seen_at = now()
         WHERE id = $1`,
        [hb.gatewayId, jsonParam(summary)],
      );
      return r.rowCount > 0;
    },
  };
}

export type GatewaysRepository = ReturnType<typeof createGatewaysRepository>;
