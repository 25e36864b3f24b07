import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.ts';

export const IN_MEMORY = 'memory://';

export interface PgliteOptions {
  /** A directory, or `memory://`. First open of a new directory runs initdb (~5 s); reopening is fast. */
  dataDir: string;
  /** A tarball from `dumpDataDir()` to start from (tests use it to skip initdb). */
  loadDataDir?: Blob | File;
}

/** Embedded PostgreSQL (PGlite, WASM). One connection: PGlite serialises queries and transactions. */
export async function openPgliteDb(opts: PgliteOptions): Promise<Db & { dump(): Promise<Blob> }> {
  const inMemory = opts.dataDir === IN_MEMORY;
  if (!inMemory) await mkdir(opts.dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(inMemory ? {} : { dataDir: opts.dataDir }),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  });
  const wrap = (q: PGlite | Transaction): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  });
  let closed = false;
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
    },
    dump: () => pg.dumpDataDir('none'),
  };
}
