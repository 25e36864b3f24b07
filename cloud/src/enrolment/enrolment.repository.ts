import { randomUUID } from 'node:crypto';
import { isoTime, type Queryable } from '../db/index.ts';

export interface EnrolmentCodeRecord {
  id: string;
  stationId: string;
  residentId: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  gatewayId: string | null;
}

interface CodeRow {
  id: string;
  station_id: string;
  resident_id: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  gateway_id: string | null;
}

const toRecord = (r: CodeRow): EnrolmentCodeRecord => ({
  id: r.id,
  stationId: r.station_id,
  residentId: r.resident_id,
  createdAt: isoTime(r.created_at),
  expiresAt: isoTime(r.expires_at),
  usedAt: r.used_at ? isoTime(r.used_at) : null,
  gatewayId: r.gateway_id,
});

/** A code as the redeeming transaction sees it, locked: whether it may still be used, by the database's clock. */
export interface ClaimedCode {
  id: string;
  stationId: string;
  residentId: string | null;
  state: 'usable' | 'used' | 'expired';
}

/**
 * The code store. Codes are kept only as hashes (enrolment-code.ts); single use holds across replicas
 * because redeeming locks the code's row (`claim`, SELECT … FOR UPDATE) and marks it used in the same
 * transaction: a second redeemer waits on the lock and then reads the row as used.
 */
export function createEnrolmentRepository(db: Queryable) {
  return {
    async create(input: {
      codeHash: string;
      stationId: string;
      residentId: string | undefined;
      ttlS: number;
    }): Promise<EnrolmentCodeRecord> {
      const { rows } = await db.query<CodeRow>(
        `INSERT INTO enrolment_codes (id, code_hash, station_id, resident_id, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING *`,
        [randomUUID(), input.codeHash, input.stationId, input.residentId ?? null, input.ttlS],
      );
      return toRecord(rows[0]!);
    },

    async get(id: string): Promise<EnrolmentCodeRecord | undefined> {
      const { rows } = await db.query<CodeRow>('SELECT * FROM enrolment_codes WHERE id = $1', [id]);
      return rows[0] && toRecord(rows[0]);
    },

    /** Locks the code's row for the rest of `tx` and says whether it may be used. Undefined: no such code. */
    async claim(tx: Queryable, codeHash: string): Promise<ClaimedCode | undefined> {
      const { rows } = await tx.query<{
        id: string;
        station_id: string;
        resident_id: string | null;
        used: boolean;
        expired: boolean;
      }>(
        `SELECT id, station_id, resident_id, used_at IS NOT NULL AS used, expires_at <= now() AS expired
         FROM enrolment_codes WHERE code_hash = $1 FOR UPDATE`,
        [codeHash],
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        id: r.id,
        stationId: r.station_id,
        residentId: r.resident_id,
        state: r.used ? 'used' : r.expired ? 'expired' : 'usable',
      };
    },

    /** Marks a claimed code used by this gateway (in the claiming transaction). */
    async markUsed(tx: Queryable, id: string, gatewayId: string): Promise<void> {
      const r = await tx.query(
        'UPDATE enrolment_codes SET used_at = now(), gateway_id = $2 WHERE id = $1 AND used_at IS NULL',
        [id, gatewayId],
      );
      // Cannot happen while the row is locked by `claim`; a bug if it does, so say so loudly.
      if (r.rowCount !== 1) throw new Error(`enrolment code ${id} was used under our lock`);
    },

    /** Counts a try of a code that is no longer usable (a leaked or reused code shows up here). */
    async countLateAttempt(tx: Queryable, id: string): Promise<void> {
      await tx.query('UPDATE enrolment_codes SET late_attempts = late_attempts + 1 WHERE id = $1', [id]);
    },

    /** Failed attempts of this client in the current window (fixed windows of `windowS`, database clock). */
    async failures(clientKey: string, windowS: number): Promise<number> {
      const { rows } = await db.query<{ failures: number }>(
        `SELECT failures FROM enrolment_failures
         WHERE client_key = $1 AND window_start = to_timestamp(floor(extract(epoch FROM now()) / $2) * $2)`,
        [clientKey, windowS],
      );
      return Number(rows[0]?.failures ?? 0);
    },

    /** Adds one failure for this client in the current window; returns the window's count (atomic upsert). */
    async addFailure(clientKey: string, windowS: number): Promise<number> {
      const { rows } = await db.query<{ failures: number }>(
        `INSERT INTO enrolment_failures (client_key, window_start, failures)
         VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
         ON CONFLICT (client_key, window_start) DO UPDATE SET failures = enrolment_failures.failures + 1
         RETURNING failures`,
        [clientKey, windowS],
      );
      // Old windows are of no use; dropping them here keeps the table to the clients of the last day.
      await db.query(`DELETE FROM enrolment_failures WHERE window_start < now() - interval '1 day'`);
      return Number(rows[0]!.failures);
    },
  };
}

export type EnrolmentRepository = ReturnType<typeof createEnrolmentRepository>;
