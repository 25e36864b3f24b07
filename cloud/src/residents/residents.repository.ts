import { randomUUID } from 'node:crypto';
import { isoTime, type Queryable } from '../db/index.ts';
import type {
  CreateGuardianBody,
  CreateResidentBody,
  Guardian,
  Language,
  Resident,
} from './residents.schemas.ts';

interface ResidentRow {
  id: string;
  name: string;
  address: string | null;
  language: Language;
  created_at: Date;
}

interface GuardianRow {
  id: string;
  resident_id: string;
  name: string;
  phone: string;
  language: Language;
  created_at: Date;
}

const toResident = (r: ResidentRow): Resident => ({
  id: r.id,
  name: r.name,
  address: r.address,
  language: r.language,
  createdAt: isoTime(r.created_at),
});

const toGuardian = (r: GuardianRow): Guardian => ({
  id: r.id,
  residentId: r.resident_id,
  name: r.name,
  phone: r.phone,
  language: r.language,
  createdAt: isoTime(r.created_at),
});

export function createResidentsRepository(db: Queryable) {
  return {
    async create(input: CreateResidentBody): Promise<Resident> {
      const { rows } = await db.query<ResidentRow>(
        'INSERT INTO residents (id, name, address, language) VALUES ($1, $2, $3, $4) RETURNING *',
        [randomUUID(), input.name, input.address ?? null, input.language ?? 'zh-CN'],
      );
      return toResident(rows[0]!);
    },

    async get(id: string, tx: Queryable = db): Promise<Resident | undefined> {
      const { rows } = await tx.query<ResidentRow>('SELECT * FROM residents WHERE id = $1', [id]);
      return rows[0] && toResident(rows[0]);
    },

    async exists(id: string, tx: Queryable = db): Promise<boolean> {
      const { rows } = await tx.query('SELECT 1 FROM residents WHERE id = $1', [id]);
      return rows.length > 0;
    },

    async addGuardian(residentId: string, input: CreateGuardianBody): Promise<Guardian> {
      const { rows } = await db.query<GuardianRow>(
        `INSERT INTO guardians (id, resident_id, name, phone, language)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [randomUUID(), residentId, input.name, input.phone, input.language],
      );
      return toGuardian(rows[0]!);
    },

    async guardians(residentId: string, tx: Queryable = db): Promise<Guardian[]> {
      const { rows } = await tx.query<GuardianRow>(
        'SELECT * FROM guardians WHERE resident_id = $1 ORDER BY created_at, id',
        [residentId],
      );
      return rows.map(toGuardian);
    },
  };
}

export type ResidentsRepository = ReturnType<typeof createResidentsRepository>;
