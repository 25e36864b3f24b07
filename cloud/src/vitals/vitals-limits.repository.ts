import type { VitalsLimits } from '../../../contracts/src/index.ts';
import { isoTime, type Queryable } from '../db/index.ts';

export interface StoredVitalsLimits extends VitalsLimits {
  residentId: string;
  updatedAt: string;
  updatedBy: string | null;
}

interface Row {
  resident_id: string;
  heart_rate_low: number;
  heart_rate_high: number;
  sustained_s: number;
  updated_at: Date;
  updated_by: string | null;
}

const toLimits = (r: Row): StoredVitalsLimits => ({
  residentId: r.resident_id,
  heartRateLow: Number(r.heart_rate_low),
  heartRateHigh: Number(r.heart_rate_high),
  sustainedS: Number(r.sustained_s),
  updatedAt: isoTime(r.updated_at),
  updatedBy: r.updated_by,
});

/** Desk-set heart-rate limits per resident (migration 009, table vitals_limits). */
export function createVitalsLimitsRepository(db: Queryable) {
  return {
    async put(
      tx: Queryable,
      residentId: string,
      l: VitalsLimits,
      by: string | null,
    ): Promise<StoredVitalsLimits> {
      const { rows } = await tx.query<Row>(
        `INSERT INTO vitals_limits (resident_id, heart_rate_low, heart_rate_high, sustained_s, updated_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (resident_id) DO UPDATE SET heart_rate_low = $2, heart_rate_high = $3,
           sustained_s = $4, updated_by = $5, updated_at = now()
         RETURNING *`,
        [residentId, l.heartRateLow, l.heartRateHigh, l.sustainedS, by],
      );
      return toLimits(rows[0]!);
    },

    async get(residentId: string): Promise<StoredVitalsLimits | undefined> {
      const { rows } = await db.query<Row>('SELECT * FROM vitals_limits WHERE resident_id = $1', [
        residentId,
      ]);
      return rows[0] && toLimits(rows[0]);
    },

    /** The limits of the resident a gateway serves, if the desk has set any (re-sent when it reconnects). */
    async forGateway(gatewayId: string): Promise<StoredVitalsLimits | undefined> {
      const { rows } = await db.query<Row>(
        `SELECT v.* FROM vitals_limits v JOIN gateways g ON g.resident_id = v.resident_id WHERE g.id = $1`,
        [gatewayId],
      );
      return rows[0] && toLimits(rows[0]);
    },

    /** The gateways of a resident (the limits go to each). */
    async gatewaysOf(residentId: string): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM gateways WHERE resident_id = $1', [
        residentId,
      ]);
      return rows.map((r) => r.id);
    },
  };
}

export type VitalsLimitsRepository = ReturnType<typeof createVitalsLimitsRepository>;
