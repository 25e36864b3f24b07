import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { INFLUX, POSTGRES } from './datasources.ts';

/** What a column must hold for the panel to draw it. */
export type ColumnKind = 'time' | 'number' | 'string' | 'boolean';

/**
 * The rows a panel needs: these columns, at least one row where each is non-null and of its kind.
 * Tests run every query against real InfluxDB and PostgreSQL and check the rows against this.
 */
export interface QueryShape {
  readonly columns: Readonly<Record<string, ColumnKind>>;
}

export interface PanelQuery {
  readonly source: 'influx' | 'postgres';
  readonly refId: string;
  readonly text: string;
  readonly shape: QueryShape;
}

/** A raw query target (the SDK has no InfluxDB/PostgreSQL query builders) that remembers its shape. */
export interface QueryTarget extends cog.Builder<cog.Dataquery> {
  readonly query: PanelQuery;
}

const target = (query: PanelQuery, json: Record<string, unknown>): QueryTarget => ({
  query,
  build: () => ({ refId: query.refId, ...json }) as unknown as cog.Dataquery,
});

/** A raw InfluxQL target. Macros: `$timeFilter`, `$__interval`, dashboard variables. */
export function influxql(
  refId: string,
  text: string,
  shape: QueryShape,
  resultFormat: 'time_series' | 'table' = 'time_series',
): QueryTarget {
  return target(
    { source: 'influx', refId, text, shape },
    { datasource: INFLUX, query: text, rawQuery: true, resultFormat },
  );
}

/** A raw SQL target. Macros: `$__timeFilter(column)`, dashboard variables (quote them: '$resident'). */
export function sql(
  refId: string,
  text: string,
  shape: QueryShape,
  format: 'table' | 'time_series' = 'table',
): QueryTarget {
  return target(
    { source: 'postgres', refId, text, shape },
    { datasource: POSTGRES, rawSql: text, rawQuery: true, editorMode: 'code', format },
  );
}
