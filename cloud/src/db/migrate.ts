import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../contracts/src/package-root.ts';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'cloud', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/**
 * Reads `NNN_name.sql` files in version order; refuses duplicates. Numbers are handed out per piece of
 * work ahead of time, so a gap (008 landing before 006) is allowed: each missing version is applied when
 * it arrives, as the runner applies every version not yet in schema_migrations.
 */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE.exec(file);
    if (!m) throw new Error(`migration file ${file} must be named NNN_snake_name.sql`);
    const version = Number(m[1]);
    const previous = out.at(-1)?.version ?? 0;
    if (version <= previous)
      throw new Error(`migration ${file}: version ${version} is taken or out of order`);
    out.push({ version, name: m[2]!, sql: await readFile(join(dir, file), 'utf8') });
  }
  return out;
}

/**
 * Applies pending migrations, all in ONE transaction: either the schema moves to the newest version or
 * it stays where it was. An advisory lock keeps two replicas starting together from racing.
 * Returns the versions applied.
 */
export async function migrate(db: Db, migrations?: readonly Migration[]): Promise<number[]> {
  const all = migrations ?? (await readMigrations());
  return db.transaction(async (tx) => {
    // 0x616e6a75 = 'anju': an arbitrary, fixed lock key for "schema migration in progress".
    await tx.query('SELECT pg_advisory_xact_lock(1634626165)');
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((r) => Number(r.version)));
    const ran: number[] = [];
    for (const m of all) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      ran.push(m.version);
    }
    return ran;
  });
}
