import type { Queryable } from '../db/index.ts';

export interface QualityQuery {
  stationId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface QualityRow {
  cases: number;
  acknowledged: number;
  ackMeanS: number | null;
  ackP90S: number | null;
  onSite: number;
  onSiteMeanS: number | null;
  onSiteP90S: number | null;
  resolved: number;
  falseAlarms: number;
  resolveMeanS: number | null;
}

const FIGURES = `count(*)::int AS cases,
  count(c.acknowledged_at)::int AS acknowledged,
  avg(extract(epoch FROM c.acknowledged_at - c.opened_at))::float8 AS ack_mean_s,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.opened_at))::float8 AS ack_p90_s,
  count(c.on_site_at)::int AS on_site,
  avg(extract(epoch FROM c.on_site_at - c.opened_at))::float8 AS on_site_mean_s,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.on_site_at - c.opened_at))::float8 AS on_site_p90_s,
  count(*) FILTER (WHERE c.status IN ('resolved', 'closed'))::int AS resolved,
  count(*) FILTER (WHERE c.status = 'false_alarm')::int AS false_alarms,
  avg(extract(epoch FROM c.resolved_at - c.opened_at))::float8 AS resolve_mean_s`;

const WHERE = `NOT c.test AND c.station_id IS NOT NULL
  AND ($1::text IS NULL OR c.station_id = $1)
  AND ($2::timestamptz IS NULL OR c.opened_at >= $2) AND ($3::timestamptz IS NULL OR c.opened_at < $3)`;

type Raw = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
const figures = (r: Raw): QualityRow => ({
  cases: Number(r.cases),
  acknowledged: Number(r.acknowledged),
  ackMeanS: num(r.ack_mean_s),
  ackP90S: num(r.ack_p90_s),
  onSite: Number(r.on_site),
  onSiteMeanS: num(r.on_site_mean_s),
  onSiteP90S: num(r.on_site_p90_s),
  resolved: Number(r.resolved),
  falseAlarms: Number(r.false_alarms),
  resolveMeanS: num(r.resolve_mean_s),
});

/** Service-quality figures (issue 4): time to acknowledge, to on site, and resolution, per worker and station. */
export function createServiceQualityRepository(db: Queryable) {
  const params = (q: QualityQuery) => [q.stationId ?? null, q.from ?? null, q.to ?? null];
  return {
    async byWorker(q: QualityQuery): Promise<(QualityRow & { workerId: string; stationId: string })[]> {
      const { rows } = await db.query<Raw>(
        `SELECT c.assignee_id AS worker_id, c.station_id, ${FIGURES} FROM cases c
         WHERE ${WHERE} AND c.assignee_id IS NOT NULL GROUP BY c.assignee_id, c.station_id ORDER BY 1, 2`,
        params(q),
      );
      return rows.map((r) => ({
        workerId: String(r.worker_id),
        stationId: String(r.station_id),
        ...figures(r),
      }));
    },
    async byStation(q: QualityQuery): Promise<(QualityRow & { stationId: string })[]> {
      const { rows } = await db.query<Raw>(
        `SELECT c.station_id, ${FIGURES} FROM cases c WHERE ${WHERE} GROUP BY c.station_id ORDER BY 1`,
        params(q),
      );
      return rows.map((r) => ({ stationId: String(r.station_id), ...figures(r) }));
    },
  };
}

export type ServiceQualityRepository = ReturnType<typeof createServiceQualityRepository>;
