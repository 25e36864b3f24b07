import { randomUUID } from 'node:crypto';
import { isoTime, jsonParam, type Queryable } from '../db/index.ts';
import type {
  Consent,
  CreateGuardianBody,
  CreateResidentBody,
  Guardian,
  Language,
  Resident,
  UpdateResidentBody,
} from './residents.schemas.ts';

interface ResidentRow {
  id: string;
  name: string;
  address: string | null;
  language: Language;
  station_id: string | null;
  lat: number | null;
  lon: number | null;
  conditions: string[] | null;
  consent: Consent | null;
  created_at: Date;
}

interface GuardianRow {
  id: string;
  resident_id: string;
  name: string;
  phone: string;
  language: Language;
  quiet_start: string | null;
  quiet_end: string | null;
  created_at: Date;
}

const toResident = (r: ResidentRow): Resident => ({
  id: r.id,
  name: r.name,
  address: r.address,
  language: r.language,
  stationId: r.station_id,
  lat: r.lat === null ? null : Number(r.lat),
  lon: r.lon === null ? null : Number(r.lon),
  conditions: r.conditions ?? [],
  consent: r.consent ?? {},
  createdAt: isoTime(r.created_at),
});

const toGuardian = (r: GuardianRow): Guardian => ({
  id: r.id,
  residentId: r.resident_id,
  name: r.name,
  phone: r.phone,
  language: r.language,
  quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
  createdAt: isoTime(r.created_at),
});

export function createResidentsRepository(db: Queryable) {
  return {
    async create(input: CreateResidentBody, tx: Queryable = db): Promise<Resident> {
      const { rows } = await tx.query<ResidentRow>(
        `INSERT INTO residents (id, name, address, language, station_id, lat, lon, conditions, consent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING *`,
        [
          randomUUID(),
          input.name,
          input.address ?? null,
          input.language ?? 'zh-CN',
          input.stationId ?? null,
          input.lat ?? null,
          input.lon ?? null,
          input.conditions ?? [],
          jsonParam(input.consent ?? {}),
        ],
      );
      return toResident(rows[0]!);
    },

    /** Changes the given fields only; undefined when the resident does not exist. */
    async update(id: string, input: UpdateResidentBody, tx: Queryable = db): Promise<Resident | undefined> {
      const { rows } = await tx.query<ResidentRow>(
        `UPDATE residents SET
           name = coalesce($2, name), address = coalesce($3, address), language = coalesce($4, language),
           station_id = coalesce($5, station_id), lat = coalesce($6, lat), lon = coalesce($7, lon),
           conditions = coalesce($8, conditions), consent = coalesce($9::jsonb, consent)
         WHERE id = $1 RETURNING *`,
        [
          id,
          input.name ?? null,
          input.address ?? null,
          input.language ?? null,
          input.stationId ?? null,
          input.lat ?? null,
          input.lon ?? null,
          input.conditions ?? null,
          input.consent === undefined ? null : jsonParam(input.consent),
        ],
      );
      return rows[0] && toResident(rows[0]);
    },

    async get(id: string, tx: Queryable = db): Promise<Resident | undefined> {
      const { rows } = await tx.query<ResidentRow>('SELECT * FROM residents WHERE id = $1', [id]);
      return rows[0] && toResident(rows[0]);
    },

    async exists(id: string, tx: Queryable = db): Promise<boolean> {
      const { rows } = await tx.query('SELECT 1 FROM residents WHERE id = $1', [id]);
      return rows.length > 0;
    },

    async addGuardian(residentId: string, input: CreateGuardianBody, tx: Queryable = db): Promise<Guardian> {
      const { rows } = await tx.query<GuardianRow>(
        `INSERT INTO guardians (id, resident_id, name, phone, language, quiet_start, quiet_end)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          randomUUID(),
          residentId,
          input.name,
          input.phone,
          input.language,
          input.quietHours?.start ?? null,
          input.quietHours?.end ?? null,
        ],
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
