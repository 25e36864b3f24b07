import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { type BuiltDashboard, DashboardDraft } from './dashboard-draft.ts';
import { at } from './field-config.ts';
import { type QueryShape, sql } from './panel-query.ts';

/** Seconds from opening to `column`, by worker and station: mean and 90th percentile. */
function responseTimes(column: string, label: string): string {
  const secs = `extract(epoch FROM c.${column} - c.opened_at)::float8`;
  return `SELECT coalesce(c.assignee, c.acknowledged_by, '—') AS worker, coalesce(c.station, '—') AS station,
  count(*)::int AS cases, avg(${secs}) AS mean_${label}_s,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY ${secs}) AS p90_${label}_s
FROM cases c
WHERE c.${column} IS NOT NULL AND NOT c.test AND $__timeFilter(c.opened_at)
GROUP BY 1, 2 ORDER BY 4 DESC`;
}
const responseShape = (label: string): QueryShape => ({
  columns: {
    worker: 'string',
    station: 'string',
    cases: 'number',
    [`mean_${label}_s`]: 'number',
    [`p90_${label}_s`]: 'number',
  },
});

/** How well the service responds: speed to acknowledge and to reach the home, satisfaction, volume. */
export function serviceQualityDashboard(): BuiltDashboard {
  const d = new DashboardDraft(
    new DashboardBuilder('Anju · Service quality')
      .uid('anju-service-quality')
      .tags(['anju'])
      .refresh('5m')
      .time({ from: 'now-1y', to: 'now' })
      .timezone('browser')
      .readonly(),
  );

  d.panel(
    'Time to acknowledge by worker and station',
    new TablePanel()
      .title('Time to acknowledge by worker and station')
      .gridPos(at(0, 0, 12, 9))
      .overrideByRegexp('.*_s$', [{ id: 'unit', value: 's' }]),
    [sql('A', responseTimes('acknowledged_at', 'ack'), responseShape('ack'))],
  );
  d.panel(
    'Time to on-site by worker and station',
    new TablePanel()
      .title('Time to on-site by worker and station')
      .gridPos(at(12, 0, 12, 9))
      .overrideByRegexp('.*_s$', [{ id: 'unit', value: 's' }]),
    [sql('A', responseTimes('on_site_at', 'on_site'), responseShape('on_site'))],
  );
  d.panel(
    'Satisfaction by month',
    new TimeseriesPanel()
      .title('Satisfaction by month')
      .description('Mean rating 1–5 of the cases opened that month.')
      .min(1)
      .max(5)
      .drawStyle(GraphDrawStyle.Bars)
      .fillOpacity(60)
      .gridPos(at(0, 9, 12, 8)),
    [
      sql(
        'A',
        `SELECT date_trunc('month', c.opened_at) AS time, avg(c.satisfaction)::float8 AS satisfaction
FROM cases c
WHERE c.satisfaction IS NOT NULL AND NOT c.test AND $__timeFilter(c.opened_at)
GROUP BY 1 ORDER BY 1`,
        { columns: { time: 'time', satisfaction: 'number' } },
        'time_series',
      ),
    ],
  );
  d.panel(
    'Volume by month',
    new TimeseriesPanel()
      .title('Volume by month')
      .drawStyle(GraphDrawStyle.Bars)
      .fillOpacity(60)
      .gridPos(at(12, 9, 12, 8)),
    [
      sql(
        'A',
        `SELECT date_trunc('month', c.opened_at) AS time, c.kind AS metric, count(*)::int AS cases
FROM cases c
WHERE NOT c.test AND $__timeFilter(c.opened_at)
GROUP BY 1, 2 ORDER BY 1, 2`,
        { columns: { time: 'time', metric: 'string', cases: 'number' } },
        'time_series',
      ),
    ],
  );
  d.panel(
    'Satisfaction by station',
    new TablePanel().title('Satisfaction by station').gridPos(at(0, 17, 24, 7)),
    [
      sql(
        'A',
        `SELECT coalesce(c.station, '—') AS station, count(*)::int AS rated, avg(c.satisfaction)::float8 AS satisfaction
FROM cases c
WHERE c.satisfaction IS NOT NULL AND NOT c.test AND $__timeFilter(c.opened_at)
GROUP BY 1 ORDER BY 3`,
        { columns: { station: 'string', rated: 'number', satisfaction: 'number' } },
      ),
    ],
  );
  return d.build('service-quality.json');
}
