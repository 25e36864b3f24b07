import type { DatabaseConfig } from './db.config.ts';
import type { Db } from './db.ts';
import { openPgliteDb } from './pglite.db.ts';
import { type DbErrorReason, openPostgresDb } from './postgres.db.ts';

/** PostgreSQL when `database.url` is set, else embedded PGlite in `database.dataDir`. */
export async function openDb(
  config: DatabaseConfig,
  /** Failures of the server (PostgreSQL only: PGlite runs in the process). */
  onError?: (err: Error, reason: DbErrorReason) => void,
): Promise<Db> {
  if (config.url) return openPostgresDb(config.url, onError ? { onError } : {});
  return openPgliteDb({ dataDir: config.dataDir });
}
