/**
 * The one data layer: PostgreSQL semantics behind a tiny interface, served by embedded PGlite (default)
 * or a `pg` Pool (when DATABASE_URL is set). Repositories only ever see `Queryable`/`Db`, so both
 * back-ends run the same SQL and the same tests.
 */
export interface QueryResult<T> {
  rows: T[];
  /** Rows inserted/updated/deleted or returned. */
  rowCount: number;
}

export interface Queryable {
  /** One statement with `$1..$n` parameters. Pass JSON as a string with a `::jsonb` cast. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** A script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in BEGIN … COMMIT; any throw rolls back and is rethrown. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
