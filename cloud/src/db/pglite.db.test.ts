import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { IN_MEMORY, openPgliteDb } from './pglite.db.ts';

describe('PGlite back-end (one protocol message per statement, prepared statements)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: IN_MEMORY });
    await db.exec(`CREATE TABLE t (id text PRIMARY KEY, tags text[], days smallint[], at timestamptz,
                   doc jsonb, ok boolean, n int)`);
  });
  afterAll(() => db.close());

  it('round-trips parameters typed by the statement, as pg does', async () => {
    const at = new Date('2024-05-06T19:00:00.123Z');
    for (let i = 0; i < 3; i++) {
      // The same text three times: prepared once, bound each time.
      await db.query(
        'INSERT INTO t (id, tags, days, at, doc, ok, n) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)',
        [`r${i}`, ['a "b"', 'c\\d'], [1, 7], at, JSON.stringify({ k: i }), i % 2 === 0, i],
      );
    }
    const r = await db.query<Record<string, unknown>>('SELECT * FROM t WHERE n >= $1 ORDER BY id', [1]);
    expect(r.rowCount).toBe(2);
    expect(r.rows[0]).toEqual({
      id: 'r1',
      tags: ['a "b"', 'c\\d'],
      days: [1, 7],
      at,
      doc: { k: 1 },
      ok: false,
      n: 1,
    });
    expect((await db.query('UPDATE t SET n = n + 1 WHERE n < $1', [2])).rowCount).toBe(2);
  });

  it('reports errors with their SQLSTATE, and a statement that failed the first time works after', async () => {
    const dup = 'INSERT INTO t (id) VALUES ($1)';
    await expect(db.query(dup, ['r0'])).rejects.toMatchObject({ code: '23505' });
    await expect(db.query(dup, ['r0'])).rejects.toMatchObject({ code: '23505' });
    await db.query(dup, ['fresh']);
    await expect(db.query('SELECT nope FROM t')).rejects.toMatchObject({ code: '42703' });
  });

  it('commits and rolls back transactions, and serves other callers only between them', async () => {
    const order: string[] = [];
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO t (id) VALUES ($1)', ['in-tx']);
      await new Promise((r) => setTimeout(r, 30));
      order.push('tx');
    });
    const outside = db.query('SELECT count(*)::int AS n FROM t').then((r) => {
      order.push('outside');
      return r;
    });
    const [, counted] = await Promise.all([tx, outside]);
    expect(order).toEqual(['tx', 'outside']);
    expect(counted.rows[0]).toEqual({ n: 5 });
    await expect(
      db.transaction(async (q) => {
        await q.query('INSERT INTO t (id) VALUES ($1)', ['rolled-back']);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    // A failed statement the callback swallowed aborts the transaction: COMMIT rolls back, and says so.
    await expect(
      db.transaction(async (q) => {
        await q.query('INSERT INTO t (id) VALUES ($1)', ['aborted']);
        await q.query('INSERT INTO t (id) VALUES ($1)', ['r0']).catch(() => undefined);
      }),
    ).rejects.toThrow(/rolled back/);
    const ids = (
      await db.query<{ id: string }>('SELECT id FROM t WHERE id = ANY($1)', [['rolled-back', 'aborted']])
    ).rows;
    expect(ids).toEqual([]);
  });

  it('re-plans after a schema change (a script through exec)', async () => {
    const all = 'SELECT * FROM t WHERE id = $1';
    expect(Object.keys((await db.query(all, ['r0'])).rows[0]!)).not.toContain('extra');
    await db.exec('ALTER TABLE t ADD COLUMN extra text');
    expect((await db.query(all, ['r0'])).rows[0]).toMatchObject({ id: 'r0', extra: null });
  });
});
