import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.ts';
import { isDbUnavailable } from './db-errors.ts';

/** What went wrong with the server (label of anju_db_errors_total). */
export type DbErrorReason =
  /** A pooled connection died: idle in the pool, or held by a transaction between two statements. */
  | 'connection_lost'
  /** A statement or transaction failed because the server was down, restarting or refusing connections. */
  | 'unavailable';

/**
 * A new connection that has not been set up in this time fails (as unavailable). Without it a server that
 * swallows packets (a half-dead host, a network partition) holds the caller until TCP gives up, minutes:
 * an event's PUBACK, a poll, an API request would all hang instead of failing and being retried.
 */
const CONNECT_TIMEOUT_MS = 5_000;

export interface PostgresDbOptions {
  max?: number;
  /** Default CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** Told of every failure of the server (not of wrong statements); must not throw. */
  onError?: (err: Error, reason: DbErrorReason) => void;
}

/** A real PostgreSQL through a `pg` Pool. */
export function openPostgresDb(url: string, opts: PostgresDbOptions = {}): Db {
  const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  // The timeout goes on each client, not on the pool: the pool's option would also fail callers that
  // merely wait for a free connection when all are busy (a load peak), and those should wait.
  class TimedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({
        ...(typeof config === 'string' ? { connectionString: config } : config),
        connectionTimeoutMillis: connectTimeoutMs,
      });
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    Client: TimedClient,
    // TCP keepalive: an idle pooled connection to a host that vanished is found dead, not reused blindly.
    keepAlive: true,
  });
  const report = (err: unknown, reason: DbErrorReason) =>
    opts.onError?.(err instanceof Error ? err : new Error(String(err)), reason);
  /** Rethrows, telling `onError` first when the server was the problem. */
  const failed = (err: unknown): never => {
    if (isDbUnavailable(err)) report(err, 'unavailable');
    throw err;
  };
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (err) => report(err, 'connection_lost'));
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const r = await q.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.query(sql);
    },
  });
  const direct = wrap(pool);
  let closed = false;
  return {
    kind: 'postgres',
    query: <T>(sql: string, params?: readonly unknown[]) => direct.query<T>(sql, params).catch(failed),
    exec: (sql) => direct.exec(sql).catch(failed),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch(failed);
      // A checked-out client has no 'error' listener (pg-pool removes its own until release): a connection
      // that dies while we hold it — the server restarting between two statements, or while `fn` awaits
      // something else — would emit an unhandled 'error' and take the whole process down.
      let lost: Error | undefined;
      const onLost = (err: Error) => {
        lost = err;
        report(err, 'connection_lost');
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (!lost) await client.query('ROLLBACK').catch(() => undefined);
        return failed(err);
      } finally {
        client.off('error', onLost);
        client.release(lost); // a lost connection is destroyed, never handed out again
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
