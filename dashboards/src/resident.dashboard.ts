import { StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { AffectDetail } from '../../contracts/src/events.ts';
import { type BuiltDashboard, DashboardDraft } from './dashboard-draft.ts';
import { POSTGRES } from './datasources.ts';
import { consoleUrlVariable } from './duty-desk.dashboard.ts';
import { at, CONSOLE_URL_VARIABLE, consoleLink } from './field-config.ts';
import { influxql, sql } from './panel-query.ts';

/** The expressions of the daily affect detail, as the contract names them (the cloud writes affect_<name>). */
const EXPRESSIONS = Object.keys(AffectDetail.properties.shares.properties);

/** One resident's days (from the gateway's daily aggregates in InfluxDB) and case history. */
const daily = (fields: string) =>
  `SELECT ${fields} FROM "resident_daily" WHERE "resident_id" = '$resident' AND $timeFilter GROUP BY time(1d) fill(none)`;

export function residentDashboard(): BuiltDashboard {
  const residents = sql('A', 'SELECT id AS __value, name AS __text FROM residents ORDER BY name', {
    columns: { __value: 'string', __text: 'string' },
  });
  const d = new DashboardDraft(
    new DashboardBuilder('Anju · Resident')
      .uid('anju-resident')
      .tags(['anju'])
      .refresh('1m')
      .time({ from: 'now-30d', to: 'now' })
      .timezone('browser')
      .readonly()
      .withVariable(
        new QueryVariableBuilder('resident')
          .label('Resident')
          .datasource(POSTGRES)
          .query(residents.query.text)
          .definition(residents.query.text)
          .refresh(VariableRefresh.OnDashboardLoad)
          .sort(VariableSort.AlphabeticalAsc),
      )
      .withVariable(consoleUrlVariable())
      .link(
        new DashboardLinkBuilder('Resident in the console')
          .type(DashboardLinkType.Link)
          .url(`\${${CONSOLE_URL_VARIABLE}}/console/residents/\${resident}`)
          .targetBlank(true),
      ),
  );
  d.variableQuery('resident', residents);

  d.panel(
    'Activity',
    new TimeseriesPanel()
      .title('Activity')
      .gridPos(at(0, 0, 12, 8))
      .fillOpacity(15),
    [
      influxql('A', daily('mean("active_min") AS "active_min", mean("steps") AS "steps"'), {
        columns: { time: 'time', active_min: 'number', steps: 'number' },
      }),
    ],
  );
  d.panel(
    'Meters',
    new TimeseriesPanel()
      .title('Meters')
      .gridPos(at(12, 0, 12, 8))
      .fillOpacity(15),
    [
      influxql('A', daily('sum("water_l") AS "water_l", sum("electricity_kwh") AS "electricity_kwh"'), {
        columns: { time: 'time', water_l: 'number', electricity_kwh: 'number' },
      }),
    ],
  );
  d.panel(
    'Heart rate',
    new TimeseriesPanel()
      .title('Heart rate')
      .unit('bpm')
      .gridPos(at(0, 8, 12, 8)),
    [
      influxql('A', daily('min("hr_min") AS "min", mean("hr_mean") AS "mean", max("hr_max") AS "max"'), {
        columns: { time: 'time', min: 'number', mean: 'number', max: 'number' },
      }),
    ],
  );
  d.panel(
    'Affect trend',
    new TimeseriesPanel()
      .title('Affect trend')
      .description(
        "Per day, from the gateway's cameras (faces read on the gateway, never sent): mean valence -1 distressed … +1 content, and the negative share (mean p(angry) + p(fear) + p(sad)). A day with too few faces has no point.",
      )
      .min(-1)
      .max(1)
      .gridPos(at(12, 8, 12, 8)),
    [
      influxql('A', daily('mean("affect") AS "valence", mean("affect_negative") AS "negative_share"'), {
        columns: { time: 'time', valence: 'number', negative_share: 'number' },
      }),
    ],
  );
  d.panel(
    'Affect by expression',
    new TimeseriesPanel()
      .title('Affect by expression')
      .description(
        "Per day: each expression's mean probability over the day's faces (FER2013's seven classes, stacked to 100 %).",
      )
      .unit('percentunit')
      .min(0)
      .max(1)
      .fillOpacity(60)
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
      .gridPos(at(0, 16, 24, 8)),
    [
      influxql('A', daily(EXPRESSIONS.map((e) => `mean("affect_${e}") AS "${e}"`).join(', ')), {
        columns: { time: 'time', ...Object.fromEntries(EXPRESSIONS.map((e) => [e, 'number' as const])) },
      }),
    ],
  );
  d.panel(
    'Case history',
    new TablePanel()
      .title('Case history')
      .gridPos(at(0, 24, 24, 10))
      .overrideByName('case_id', [consoleLink('Open the case in the console', 'cases')]),
    [
      sql(
        'A',
        `SELECT c.id AS case_id, c.opened_at AS opened, c.kind, c.severity, c.status, c.level, c.acknowledged_at AS acknowledged,
  c.acknowledged_by, (SELECT count(*) FROM events e WHERE e.case_id = c.id)::int AS events
FROM cases c
WHERE c.resident_id = '$resident' AND NOT c.test AND $__timeFilter(c.opened_at)
ORDER BY c.opened_at DESC`,
        {
          columns: {
            case_id: 'string',
            opened: 'time',
            kind: 'string',
            severity: 'string',
            status: 'string',
            level: 'number',
            acknowledged: 'time',
            acknowledged_by: 'string',
            events: 'number',
          },
        },
      ),
    ],
  );
  return d.build('resident.json');
}
