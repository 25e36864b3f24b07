import type { CloudConfig } from '../config/index.ts';
import type { Db } from './db.ts';
import { openPgliteDb } from './pglite.db.ts';
import { openPostgresDb } from './postgres.db.ts';

/** PostgreSQL when `database.url` is set, else embedded PGlite in `database.dataDir`. */
export async function openDb(
  config: CloudConfig['database'],
  onPoolError?: (err: Error) => void,
): Promise<Db> {
  if (config.url) return openPostgresDb(config.url, onPoolError ? { onError: onPoolError } : {});
  return openPgliteDb({ dataDir: config.dataDir });
}
