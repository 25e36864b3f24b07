import type { BundleFile, BundleIndex, CommandResult } from '../../../contracts/src/index.ts';
import { isoTime, isoTimeOrNull, jsonParam, type Queryable } from '../db/index.ts';
import type { ModelUpdate } from './models.schemas.ts';

interface VersionRow {
  name: string;
  version: string;
  bundle_sha256: string;
  files: BundleFile[];
  published_at: Date;
}

interface UpdateRow {
  id: string;
  gateway_id: string;
  name: string;
  version: string;
  bundle_sha256: string;
  requested_at: Date;
  status: ModelUpdate['status'];
  reason: string | null;
  detail: string | null;
  active_version: string | null;
  duration_ms: number | null;
  finished_at: Date | null;
}

export interface PublishedModelRecord extends BundleIndex {
  publishedAt: string;
}

const toPublished = (r: VersionRow): PublishedModelRecord => ({
  model: { name: r.name, version: r.version },
  bundleSha256: r.bundle_sha256,
  files: r.files,
  publishedAt: isoTime(r.published_at),
});

const toUpdate = (r: UpdateRow): ModelUpdate => ({
  commandId: r.id,
  gatewayId: r.gateway_id,
  model: { name: r.name, version: r.version },
  bundleSha256: r.bundle_sha256,
  requestedAt: isoTime(r.requested_at),
  status: r.status,
  reason: r.reason,
  detail: r.detail,
  activeVersion: r.active_version,
  durationMs: r.duration_ms,
  finishedAt: isoTimeOrNull(r.finished_at),
});

export function createModelsRepository(db: Queryable) {
  return {
    /** Stores a bundle; false when that name+version is already published (with whatever content). */
    async publish(
      index: BundleIndex,
      contents: ReadonlyMap<string, Buffer>,
      tx: Queryable = db,
    ): Promise<boolean> {
      const { rowCount } = await tx.query(
        `INSERT INTO model_versions (name, version, bundle_sha256, files) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (name, version) DO NOTHING`,
        [index.model.name, index.model.version, index.bundleSha256, jsonParam(index.files)],
      );
      if (rowCount === 0) return false;
      for (const f of index.files) {
        await tx.query('INSERT INTO model_files (name, version, file, content) VALUES ($1, $2, $3, $4)', [
          index.model.name,
          index.model.version,
          f.name,
          contents.get(f.name),
        ]);
      }
      return true;
    },

    async get(name: string, version: string): Promise<PublishedModelRecord | undefined> {
      const { rows } = await db.query<VersionRow>(
        'SELECT * FROM model_versions WHERE name = $1 AND version = $2',
        [name, version],
      );
      return rows[0] && toPublished(rows[0]);
    },

    async list(): Promise<PublishedModelRecord[]> {
      const { rows } = await db.query<VersionRow>(
        'SELECT * FROM model_versions ORDER BY name, published_at DESC, version DESC',
      );
      return rows.map(toPublished);
    },

    async file(name: string, version: string, file: string): Promise<Buffer | undefined> {
      const { rows } = await db.query<{ content: Uint8Array }>(
        'SELECT content FROM model_files WHERE name = $1 AND version = $2 AND file = $3',
        [name, version, file],
      );
      const c = rows[0]?.content;
      return c === undefined ? undefined : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    },

    /** Gateways to update: one by id, or every gateway whose resident belongs to the station. */
    async gatewayIds(target: { gatewayId: string } | { stationId: string }): Promise<string[]> {
      const { rows } =
        'gatewayId' in target
          ? await db.query<{ id: string }>('SELECT id FROM gateways WHERE id = $1', [target.gatewayId])
          : await db.query<{ id: string }>(
              `SELECT g.id FROM gateways g JOIN residents r ON r.id = g.resident_id
               WHERE r.station_id = $1 ORDER BY g.id`,
              [target.stationId],
            );
      return rows.map((r) => r.id);
    },

    async recordCommand(u: { commandId: string; gatewayId: string; index: BundleIndex }): Promise<void> {
      await db.query(
        `INSERT INTO model_updates (id, gateway_id, name, version, bundle_sha256) VALUES ($1, $2, $3, $4, $5)`,
        [u.commandId, u.gatewayId, u.index.model.name, u.index.model.version, u.index.bundleSha256],
      );
    },

    /**
     * Commands still unanswered for this gateway (sent while it was away: MQTT sessions are clean), the
     * newest per model, not older than `maxAgeS`.
     */
    async unanswered(gatewayId: string, maxAgeS: number): Promise<ModelUpdate[]> {
      const { rows } = await db.query<UpdateRow>(
        `SELECT DISTINCT ON (name) * FROM model_updates
         WHERE gateway_id = $1 AND status = 'sent' AND requested_at > now() - make_interval(secs => $2)
         ORDER BY name, requested_at DESC`,
        [gatewayId, maxAgeS],
      );
      return rows.map(toUpdate);
    },

    /** Whether this gateway was ever sent an update to this version: only then may it fetch the bundle. */
    async wasSent(gatewayId: string, name: string, version: string): Promise<boolean> {
      const { rows } = await db.query(
        'SELECT 1 FROM model_updates WHERE gateway_id = $1 AND name = $2 AND version = $3 LIMIT 1',
        [gatewayId, name, version],
      );
      return rows.length > 0;
    },

    /**
     * Records a gateway's result on its command and on the gateway's record. False when no such command
     * was sent to this gateway (a result for someone else's command, or invented).
     */
    async recordResult(r: CommandResult): Promise<boolean> {
      // One statement: whoever reads the command's row as answered also sees it on the gateway's record.
      const { rowCount } = await db.query(
        `WITH answered AS (
           UPDATE model_updates SET status = $3, reason = $4, detail = $5, active_version = $6,
             duration_ms = $7, finished_at = $8
           WHERE id = $1 AND gateway_id = $2 AND name = $9 AND version = $10
           RETURNING gateway_id)
         UPDATE gateways SET last_model_update = $11::jsonb WHERE id IN (SELECT gateway_id FROM answered)`,
        [
          r.commandId,
          r.gatewayId,
          r.outcome,
          r.reason,
          r.detail ?? null,
          r.activeVersion,
          r.durationMs,
          r.finishedAt,
          r.model.name,
          r.model.version,
          jsonParam({
            commandId: r.commandId,
            model: r.model,
            outcome: r.outcome,
            reason: r.reason,
            activeVersion: r.activeVersion,
            finishedAt: r.finishedAt,
          }),
        ],
      );
      return rowCount > 0;
    },

    async updates(filter: {
      gatewayId?: string | undefined;
      commandId?: string | undefined;
    }): Promise<ModelUpdate[]> {
      const { rows } = await db.query<UpdateRow>(
        `SELECT * FROM model_updates
         WHERE ($1::text IS NULL OR gateway_id = $1) AND ($2::text IS NULL OR id = $2)
         ORDER BY requested_at DESC, id DESC LIMIT 200`,
        [filter.gatewayId ?? null, filter.commandId ?? null],
      );
      return rows.map(toUpdate);
    },
  };
}

export type ModelsRepository = ReturnType<typeof createModelsRepository>;
