import { isoTime, type Queryable } from '../db/index.ts';
import type { Language } from '../residents/residents.schemas.ts';
import type { CreateWorkerBody, Shift, Worker } from './workers.schemas.ts';

interface WorkerRow {
  id: string;
  station_id: string;
  name: string;
  phone: string;
  language: Language;
  skills: string[];
  home_lat: number;
  home_lon: number;
  active: boolean;
  created_at: Date;
  shifts: { weekdays: number[]; start: string; end: string }[] | null;
  load?: number;
}

const toWorker = (r: WorkerRow): Worker => ({
  id: r.id,
  stationId: r.station_id,
  name: r.name,
  phone: r.phone,
  language: r.language,
  skills: r.skills ?? [],
  home: { lat: Number(r.home_lat), lon: Number(r.home_lon) },
  active: r.active,
  shifts: (r.shifts ?? []).map((s) => ({ weekdays: s.weekdays.map(Number), start: s.start, end: s.end })),
  createdAt: isoTime(r.created_at),
});

/** A worker with the number of active cases assigned to them, for dispatch. */
export type WorkerWithLoad = Worker & { load: number };

const SHIFTS = `coalesce((SELECT jsonb_agg(jsonb_build_object('weekdays', s.weekdays, 'start', s.start_local,
  'end', s.end_local) ORDER BY s.created_at, s.id) FROM shifts s WHERE s.worker_id = w.id), '[]'::jsonb) AS shifts`;
const LOAD = `(SELECT count(*) FROM cases c WHERE c.assignee_id = w.id
  AND c.status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm'))::int AS load`;

export function createWorkersRepository(db: Queryable) {
  async function replaceShifts(tx: Queryable, workerId: string, shifts: readonly Shift[]): Promise<void> {
    await tx.query('DELETE FROM shifts WHERE worker_id = $1', [workerId]);
    let i = 0;
    for (const s of shifts) {
      await tx.query(
        `INSERT INTO shifts (id, worker_id, weekdays, start_local, end_local, created_at)
         VALUES ($1, $2, $3::smallint[], $4, $5, now() + make_interval(secs => $6))`,
        [`${workerId}:${crypto.randomUUID()}`, workerId, s.weekdays, s.start, s.end, i++ / 1e6],
      );
    }
  }

  return {
    /** undefined when the id is taken. Throws (FK, 23503) when the station does not exist. */
    async create(tx: Queryable, input: CreateWorkerBody): Promise<Worker | undefined> {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO workers (id, station_id, name, phone, language, skills, home_lat, home_lon)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          input.id,
          input.stationId,
          input.name,
          input.phone,
          input.language ?? 'zh-CN',
          input.skills ?? [],
          input.home.lat,
          input.home.lon,
        ],
      );
      if (!rows[0]) return undefined;
      await replaceShifts(tx, input.id, input.shifts ?? []);
      return this.get(input.id, tx);
    },

    async get(id: string, tx: Queryable = db): Promise<Worker | undefined> {
      const { rows } = await tx.query<WorkerRow>(`SELECT w.*, ${SHIFTS} FROM workers w WHERE w.id = $1`, [
        id,
      ]);
      return rows[0] && toWorker(rows[0]);
    },

    async listByStation(stationId: string): Promise<Worker[]> {
      const { rows } = await db.query<WorkerRow>(
        `SELECT w.*, ${SHIFTS} FROM workers w WHERE w.station_id = $1 ORDER BY w.id`,
        [stationId],
      );
      return rows.map(toWorker);
    },

    /** Active workers of a station with their roster and current load (inside the dispatch transaction). */
    async candidates(tx: Queryable, stationId: string): Promise<WorkerWithLoad[]> {
      const { rows } = await tx.query<WorkerRow>(
        `SELECT w.*, ${SHIFTS}, ${LOAD} FROM workers w WHERE w.station_id = $1 AND w.active ORDER BY w.id`,
        [stationId],
      );
      return rows.map((r) => ({ ...toWorker(r), load: Number(r.load ?? 0) }));
    },

    /** Replaces the worker's roster; false when the worker does not exist. */
    async setShifts(tx: Queryable, workerId: string, shifts: readonly Shift[]): Promise<boolean> {
      const { rows } = await tx.query('SELECT 1 FROM workers WHERE id = $1 FOR UPDATE', [workerId]);
      if (rows.length === 0) return false;
      await replaceShifts(tx, workerId, shifts);
      return true;
    },
  };
}

export type WorkersRepository = ReturnType<typeof createWorkersRepository>;
