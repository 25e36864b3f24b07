import { mkdir } from 'node:fs/promises';
import { PGlite, parse, protocol } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.ts';
import { textParam } from './row-values.ts';

export const IN_MEMORY = 'memory://';

export interface PgliteOptions {
  /** A directory, or `memory://`. First open of a new directory runs initdb (~5 s); reopening is fast. */
  dataDir: string;
  /** A tarball from `dumpDataDir()` to start from (tests use it to skip initdb). */
  loadDataDir?: Blob | File;
}

/**
 * Distinct statement texts kept prepared. The service's SQL is a fixed set of a few dozen texts (plus the
 * few built from a column list); beyond this, statements are parsed unnamed each time.
 */
const MAX_PREPARED = 500;

/**
 * Embedded PostgreSQL (PGlite, WASM). One connection, one caller at a time: a transaction holds it from
 * BEGIN to COMMIT, as a `pg` client from a pool would.
 *
 * Why not PGlite's own `query()`: it makes six calls into the WASM per statement (Parse, Describe,
 * Bind, Describe, Execute, Sync, each parsed back in JS) and has PostgreSQL parse and plan the statement
 * every time. Here a statement is ONE protocol message through `execProtocol` — Parse (only the first
 * time a text is seen: a named prepared statement, so its plan is cached), Bind, Describe, Execute, Sync —
 * as `pg` sends it to a server. Parameters go as text with unspecified types, exactly as `pg` sends them
 * (`textParam`), so the same SQL infers the same types on both back-ends; results are parsed by PGlite's
 * own parsers, so rows look as they did. On the ingest path this halves the database's CPU per event.
 */
export async function openPgliteDb(opts: PgliteOptions): Promise<Db & { dump(): Promise<Blob> }> {
  const inMemory = opts.dataDir === IN_MEMORY;
  if (!inMemory) await mkdir(opts.dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(inMemory ? {} : { dataDir: opts.dataDir }),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  });

  /** SQL text → name of its prepared statement. */
  const prepared = new Map<string, string>();
  let nextName = 0;

  /** Runs protocol messages as one call; outside a transaction PGlite then syncs its file system. */
  async function run(messages: Uint8Array[], inTransaction: boolean) {
    const buf = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of messages) {
      buf.set(m, at);
      at += m.length;
    }
    const { messages: replies } = await pg.execProtocol(buf, { syncToFs: !inTransaction });
    return parse.parseResults(replies, pg.parsers);
  }

  async function query<T>(
    sql: string,
    params: readonly unknown[],
    inTransaction: boolean,
  ): Promise<QueryResult<T>> {
    let name = prepared.get(sql);
    const parseFirst = name === undefined && prepared.size < MAX_PREPARED;
    if (parseFirst) name = `anju_${nextName++}`;
    const messages = [
      ...(name === undefined ? [protocol.serialize.parse({ text: sql, types: [] })] : []),
      ...(parseFirst ? [protocol.serialize.parse({ name: name!, text: sql, types: [] })] : []),
      protocol.serialize.bind({ statement: name ?? '', values: params.map(textParam) }),
      protocol.serialize.describe({ type: 'P' }),
      protocol.serialize.execute({}),
      protocol.serialize.sync(),
    ];
    // Named only once it has run: a text whose first run failed is parsed again under a new name (the
    // failed one may or may not exist; a few unused prepared statements cost nothing).
    const results = await run(messages, inTransaction);
    if (parseFirst) prepared.set(sql, name!);
    const rows = (results[0]?.rows ?? []) as T[];
    // PGlite counts only written rows (0 for a SELECT); `pg` reports rows returned too.
    return { rows, rowCount: Math.max(results[0]?.affectedRows ?? 0, rows.length) };
  }

  /** A script of statements (migrations): simple protocol. A schema change invalidates prepared plans. */
  async function exec(sql: string, inTransaction: boolean): Promise<void> {
    await run([protocol.serialize.query(sql), protocol.serialize.sync()], inTransaction);
    if (prepared.size > 0) {
      prepared.clear();
      await run([protocol.serialize.query('DEALLOCATE ALL'), protocol.serialize.sync()], inTransaction);
    }
  }

  /** One caller at a time (PGlite has one connection); a transaction keeps it until COMMIT/ROLLBACK. */
  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  }

  const topLevel: Queryable = {
    query: <T>(sql: string, params: readonly unknown[] = []) => exclusive(() => query<T>(sql, params, false)),
    exec: (sql) => exclusive(() => exec(sql, false)),
  };

  let closed = false;
  return {
    kind: 'pglite',
    ...topLevel,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        let open = true;
        const tx: Queryable = {
          query: <R>(sql: string, params: readonly unknown[] = []) => {
            if (!open) throw new Error('transaction is closed');
            return query<R>(sql, params, true);
          },
          exec: (sql) => {
            if (!open) throw new Error('transaction is closed');
            return exec(sql, true);
          },
        };
        await run([protocol.serialize.query('BEGIN'), protocol.serialize.sync()], true);
        try {
          const result = await fn(tx);
          open = false;
          const [commit] = await run([protocol.serialize.query('COMMIT'), protocol.serialize.sync()], false);
          // COMMIT of a transaction in which a statement failed (and the caller carried on) rolls back.
          if (commit?.command === 'ROLLBACK') throw new Error('transaction aborted: rolled back at COMMIT');
          return result;
        } catch (err) {
          if (open) {
            open = false;
            await run([protocol.serialize.query('ROLLBACK'), protocol.serialize.sync()], false);
          }
          throw err;
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await exclusive(() => pg.close());
    },
    dump: () => exclusive(() => pg.dumpDataDir('none')),
  };
}
