import { isoTime, type Queryable } from '../db/index.ts';
import type { Language } from '../residents/residents.schemas.ts';
import type { CreateStationBody, Station } from './stations.schemas.ts';

interface StationRow {
  id: string;
  name: string;
  supervisor_name: string | null;
  supervisor_phone: string | null;
  supervisor_language: Language;
  created_at: Date;
}

const toStation = (r: StationRow): Station => ({
  id: r.id,
  name: r.name,
  supervisor:
    r.supervisor_name && r.supervisor_phone
      ? { name: r.supervisor_name, phone: r.supervisor_phone, language: r.supervisor_language }
      : null,
  createdAt: isoTime(r.created_at),
});

export function createStationsRepository(db: Queryable) {
  return {
    /** undefined when the id is taken. */
    async create(input: CreateStationBody, tx: Queryable = db): Promise<Station | undefined> {
      const { rows } = await tx.query<StationRow>(
        `INSERT INTO stations (id, name, supervisor_name, supervisor_phone, supervisor_language)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          input.id,
          input.name,
          input.supervisor?.name ?? null,
          input.supervisor?.phone ?? null,
          input.supervisor?.language ?? 'zh-CN',
        ],
      );
      return rows[0] && toStation(rows[0]);
    },

    async get(id: string, tx: Queryable = db): Promise<Station | undefined> {
      const { rows } = await tx.query<StationRow>('SELECT * FROM stations WHERE id = $1', [id]);
      return rows[0] && toStation(rows[0]);
    },

    async list(): Promise<Station[]> {
      const { rows } = await db.query<StationRow>('SELECT * FROM stations ORDER BY id');
      return rows.map(toStation);
    },
  };
}

export type StationsRepository = ReturnType<typeof createStationsRepository>;
