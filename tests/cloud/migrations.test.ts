import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../cloud/src/db/index.ts';
import { backends, openTestDb, type TestDb } from './cloud-fixture.ts';

describe.each(backends)('database migrations and constraints (%s)', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
    await migrate(t.db); // fresh PostgreSQL: applies them all; the PGlite template: already there
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('records applied versions and does nothing the second time', async () => {
    expect(await migrate(t.db)).toEqual([]);
    const { rows } = await t.db.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    const all = await readMigrations();
    expect(rows).toEqual(all.map(({ version, name }) => ({ version, name })));
    expect(rows[0]).toEqual({ version: 1, name: 'initial' });
  });

  it('applies a failing migration not at all (one transaction)', async () => {
    const all = await readMigrations();
    const next = all.at(-1)!.version + 1;
    const broken = {
      version: next,
      name: 'broken',
      sql: 'CREATE TABLE half_done (a int);\nSELECT no_such_column FROM residents;',
    };
    await expect(migrate(t.db, [...all, broken])).rejects.toThrow(/no_such_column/);
    const { rows } = await t.db.query("SELECT to_regclass('half_done') AS t");
    expect(rows[0]).toEqual({ t: null });
    expect((await t.db.query('SELECT max(version)::int AS v FROM schema_migrations')).rows[0]).toEqual({
      v: all.at(-1)!.version,
    });

    const good = { version: next, name: 'add_note', sql: 'CREATE TABLE note_test (a int);' };
    expect(await migrate(t.db, [...all, good])).toEqual([next]);
    expect(await migrate(t.db, [...all, good])).toEqual([]);
  });

  it('allows only one open case per resident and kind', async () => {
    await t.db.query("INSERT INTO residents (id, name) VALUES ('r-ix', 'R')");
    const open = "INSERT INTO cases (id, resident_id, kind, severity) VALUES ($1, 'r-ix', 'fall', 'urgent')";
    await t.db.query(open, ['c-1']);
    await expect(t.db.query(open, ['c-2'])).rejects.toThrow(/cases_one_open_per_resident_kind/);
    await t.db.query("UPDATE cases SET status = 'acknowledged' WHERE id = 'c-1'");
    // 003: acknowledged is still active (issue 4 lifecycle); only a finished case makes room
    await expect(t.db.query(open, ['c-2'])).rejects.toThrow(/cases_one_open_per_resident_kind/);
    await t.db.query("UPDATE cases SET status = 'resolved' WHERE id = 'c-1'");
    await t.db.query(open, ['c-3']); // once finished, a new one may open
    await t.db.query(
      "INSERT INTO cases (id, resident_id, kind, severity, test) VALUES ('c-4', 'r-ix', 'fall', 'urgent', true)",
    );
  });
});

describe('readMigrations', () => {
  it('allows gaps (numbers are handed out ahead), refuses duplicates and badly named files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anju-mig-'));
    await writeFile(join(dir, '001_a.sql'), 'SELECT 1;');
    await writeFile(join(dir, '003_c.sql'), 'SELECT 1;');
    expect((await readMigrations(dir)).map((m) => m.version)).toEqual([1, 3]);
    await writeFile(join(dir, '003_d.sql'), 'SELECT 1;');
    await expect(readMigrations(dir)).rejects.toThrow(/003_d\.sql: version 3 is taken/);
    const dir2 = await mkdtemp(join(tmpdir(), 'anju-mig-'));
    await writeFile(join(dir2, '1-a.sql'), 'SELECT 1;');
    await expect(readMigrations(dir2)).rejects.toThrow(/NNN_snake_name/);
  });
});
