import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tools/harness/net.ts';
import {
  type PostgresCluster,
  postgresClusterUnavailable,
  startPostgresCluster,
} from '../../../tools/harness/postgres-cluster.ts';
import type { Db } from './db.ts';
import { type DbErrorReason, openPostgresDb } from './postgres.db.ts';

const skip = postgresClusterUnavailable();

/** On a private PostgreSQL cluster of this test: its connections are killed and it is restarted. */
describe.skipIf(skip !== '')(`PostgreSQL back-end when the server goes away ${skip}`, () => {
  let cluster: PostgresCluster;
  let db: Db;
  const reported: DbErrorReason[] = [];
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    db = openPostgresDb(cluster.url, { max: 3, onError: (_err, reason) => reported.push(reason) });
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await db?.close();
    await cluster?.close();
  });

  it('a transaction whose connection dies between two statements rejects; the process and the pool carry on', async () => {
    reported.length = 0;
    const tx = db.transaction(async (q) => {
      const { rows } = await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await q.query('INSERT INTO t (id) VALUES (1)');
      // The server ends this session while no statement of ours is running on it (as a restart would):
      // pg's client emits 'error' then, and nobody but us listens to a checked-out client.
      await cluster.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await waitFor(() => reported.includes('connection_lost'), 10_000, "the pool seeing the session's end");
      await q.query('INSERT INTO t (id) VALUES (2)');
    });
    await expect(tx).rejects.toThrow();
    expect(reported).toContain('connection_lost');
    expect(reported).toContain('unavailable');
    // Rolled back, and the dead client was not handed out again: every pooled connection works.
    const counts = await Promise.all(
      [1, 2, 3].map(() => db.transaction((q) => q.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))),
    );
    expect(counts.map((c) => c.rows[0]!.n)).toEqual([0, 0, 0]);
  });

  it('a server that accepts but never answers fails the statement after the connect timeout, as unavailable', async () => {
    // A listener that takes the connection and says nothing (a half-dead host).
    const silent = createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const seen: DbErrorReason[] = [];
    const stuck = openPostgresDb(`postgres://postgres@127.0.0.1:${port}/postgres`, {
      connectTimeoutMs: 300,
      onError: (_err, reason) => seen.push(reason),
    });
    try {
      await expect(stuck.query('SELECT 1')).rejects.toThrow(/timeout/i);
      await expect(stuck.transaction((q) => q.query('SELECT 1'))).rejects.toThrow(/timeout/i);
      expect(seen).toEqual(['unavailable', 'unavailable']);
    } finally {
      await stuck.close();
      silent.close();
    }
  });

  it('statements fail while the server is down, are reported as unavailable, and work again after it starts', async () => {
    await Promise.all([1, 2, 3].map(() => db.query('SELECT 1'))); // idle connections in the pool
    reported.length = 0;
    await cluster.stop('immediate');
    await expect(db.query('SELECT 1')).rejects.toThrow();
    await expect(db.transaction((q) => q.query('SELECT 1'))).rejects.toThrow();
    expect(reported.filter((r) => r === 'unavailable').length).toBeGreaterThanOrEqual(2);
    await cluster.start();
    // The pool dropped its dead idle connections (or drops them on first use): a few tries at most.
    let ok = false;
    for (let i = 0; i < 5 && !ok; i++)
      ok = await db.query('SELECT 1').then(
        () => true,
        () => false,
      );
    expect(ok).toBe(true);
    await db.transaction((q) => q.query('INSERT INTO t (id) VALUES (3)'));
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n).toBe(1);
  });
});
