import type { Queryable } from '../db/index.ts';

export interface QualityQuery {
  stationId?: string | undefined;
  /** Cases opened at or after this instant (ISO 8601). */
  from?: string | undefined;
  /** Cases opened before this instant. */
  to?: string | undefined;
}

export interface Durations {
  /** Cases that reached the step. */
  count: number;
  medianS: number | null;
  p90S: number | null;
}

export interface QualityFigures {
  cases: number;
  /** From opening to the first acknowledgement. */
  timeToAcknowledge: Durations;
  /** From opening to the worker reporting arrival. */
  timeToOnSite: Durations;
  /** Cases by where they are now: still active, or the terminal state they ended in. */
  outcomes: { active: number; resolved: number; closed: number; cancelled: number; falseAlarm: number };
  satisfaction: {
    /** Survey answers (one per guardian who rated). */
    count: number;
    mean: number | null;
    distribution: { '1': number; '2': number; '3': number; '4': number; '5': number };
  };
  complaints: number;
}

type Raw = Record<string, unknown>;

/**
 * The figures of one group of cases (`c`), as SQL. Percentiles are PostgreSQL's percentile_cont:
 * linear interpolation between the two nearest ranks (the median of 60 s and 120 s is 90 s).
 */
const FIGURES = `count(*)::int AS cases,
  count(c.acknowledged_at)::int AS ack_n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.opened_at))::float8 AS ack_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.opened_at))::float8 AS ack_p90,
  count(c.on_site_at)::int AS site_n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.on_site_at - c.opened_at))::float8 AS site_p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.on_site_at - c.opened_at))::float8 AS site_p90,
  count(*) FILTER (WHERE c.status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm'))::int AS active,
  count(*) FILTER (WHERE c.status = 'resolved')::int AS resolved,
  count(*) FILTER (WHERE c.status = 'closed')::int AS closed,
  count(*) FILTER (WHERE c.status = 'cancelled')::int AS cancelled,
  count(*) FILTER (WHERE c.status = 'false_alarm')::int AS false_alarm`;

const SATISFACTION = `count(*)::int AS sat_n, avg(s.score)::float8 AS sat_mean,
  count(*) FILTER (WHERE s.score = 1)::int AS sat_1, count(*) FILTER (WHERE s.score = 2)::int AS sat_2,
  count(*) FILTER (WHERE s.score = 3)::int AS sat_3, count(*) FILTER (WHERE s.score = 4)::int AS sat_4,
  count(*) FILTER (WHERE s.score = 5)::int AS sat_5`;

/** Real cases of a station, opened in [from, to). */
const SCOPE = `NOT c.test AND c.station_id IS NOT NULL
  AND ($1::text IS NULL OR c.station_id = $1)
  AND ($2::timestamptz IS NULL OR c.opened_at >= $2) AND ($3::timestamptz IS NULL OR c.opened_at < $3)`;

/** Groups `scope` by `key` (columns of cases) and joins surveys and complaints per group. */
function groupedSql(key: readonly string[], extraWhere: string): string {
  const cols = key.map((k) => `c.${k}`).join(', ');
  const using = key.join(', ');
  return `WITH scope AS (SELECT * FROM cases c WHERE ${SCOPE} ${extraWhere}),
    figures AS (SELECT ${cols}, ${FIGURES} FROM scope c GROUP BY ${cols}),
    rated AS (SELECT ${cols}, ${SATISFACTION} FROM scope c JOIN case_surveys s ON s.case_id = c.id
              WHERE s.score IS NOT NULL GROUP BY ${cols}),
    complained AS (SELECT ${cols}, count(*)::int AS complaints FROM scope c JOIN complaints k ON k.case_id = c.id
                   GROUP BY ${cols})
  SELECT * FROM figures LEFT JOIN rated USING (${using}) LEFT JOIN complained USING (${using})
  ORDER BY ${using}`;
}

const seconds = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
const int = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

const figures = (r: Raw): QualityFigures => ({
  cases: int(r.cases),
  timeToAcknowledge: { count: int(r.ack_n), medianS: seconds(r.ack_p50), p90S: seconds(r.ack_p90) },
  timeToOnSite: { count: int(r.site_n), medianS: seconds(r.site_p50), p90S: seconds(r.site_p90) },
  outcomes: {
    active: int(r.active),
    resolved: int(r.resolved),
    closed: int(r.closed),
    cancelled: int(r.cancelled),
    falseAlarm: int(r.false_alarm),
  },
  satisfaction: {
    count: int(r.sat_n),
    mean: r.sat_mean === null || r.sat_mean === undefined ? null : Math.round(Number(r.sat_mean) * 100) / 100,
    distribution: {
      '1': int(r.sat_1),
      '2': int(r.sat_2),
      '3': int(r.sat_3),
      '4': int(r.sat_4),
      '5': int(r.sat_5),
    },
  },
  complaints: int(r.complaints),
});

/**
 * Service-quality figures (issue 4) per worker and per station over a period: time to acknowledge and
 * to on site (median, p90), cases by outcome, satisfaction from the surveys, complaints. A case counts
 * for the worker who has it at the end (its assignee) and the station that served it.
 */
export function createServiceQualityRepository(db: Queryable) {
  const params = (q: QualityQuery) => [q.stationId ?? null, q.from ?? null, q.to ?? null];
  return {
    async byWorker(q: QualityQuery): Promise<(QualityFigures & { workerId: string; stationId: string })[]> {
      const { rows } = await db.query<Raw>(
        groupedSql(['assignee_id', 'station_id'], 'AND c.assignee_id IS NOT NULL'),
        params(q),
      );
      return rows.map((r) => ({
        workerId: String(r.assignee_id),
        stationId: String(r.station_id),
        ...figures(r),
      }));
    },
    async byStation(q: QualityQuery): Promise<(QualityFigures & { stationId: string })[]> {
      const { rows } = await db.query<Raw>(groupedSql(['station_id'], ''), params(q));
      return rows.map((r) => ({ stationId: String(r.station_id), ...figures(r) }));
    },
  };
}

export type ServiceQualityRepository = ReturnType<typeof createServiceQualityRepository>;
