export type { Db, Queryable, QueryResult } from './db.ts';
export { isDbUnavailable } from './db-errors.ts';
export { MIGRATIONS_DIR, type Migration, migrate, readMigrations } from './migrate.ts';
export { openDb } from './open-db.ts';
export { IN_MEMORY, openPgliteDb } from './pglite.db.ts';
export { type DbErrorReason, openPostgresDb } from './postgres.db.ts';
export { isoTime, isoTimeOrNull, jsonParam, textParam } from './row-values.ts';
