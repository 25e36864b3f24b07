import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { type BuiltDashboard, DashboardDraft } from './dashboard-draft.ts';
import { at } from './field-config.ts';
import { influxql, sql } from './panel-query.ts';

/** A heartbeat field per gateway over time. */
const perGateway = (select: string) =>
  `SELECT ${select} FROM "gateway_heartbeat" WHERE $timeFilter GROUP BY time($__interval), "gateway_id" fill(none)`;

/** The gateways in the field: who is connected, how they are doing, what they run. */
export function fleetDashboard(): BuiltDashboard {
  const d = new DashboardDraft(
    new DashboardBuilder('Anju · Fleet')
      .uid('anju-fleet')
      .tags(['anju'])
      .refresh('1m')
      .time({ from: 'now-24h', to: 'now' })
      .timezone('browser')
      .readonly(),
  );

  d.panel(
    'Gateways online / offline',
    new StatPanel().title('Gateways online / offline').gridPos(at(0, 0, 6, 6)),
    [
      sql(
        'A',
        `SELECT count(*) FILTER (WHERE connected)::int AS online, count(*) FILTER (WHERE NOT connected)::int AS offline
FROM gateways`,
        { columns: { online: 'number', offline: 'number' } },
      ),
    ],
  );
  d.panel('Outbox depth', new TimeseriesPanel().title('Outbox depth').gridPos(at(6, 0, 9, 6)), [
    influxql('A', perGateway('max("outbox_depth") AS "outbox"'), {
      columns: { time: 'time', outbox: 'number', gateway_id: 'string' },
    }),
  ]);
  d.panel(
    'Battery',
    new TimeseriesPanel()
      .title('Battery')
      .unit('percent')
      .min(0)
      .max(100)
      .gridPos(at(15, 0, 9, 6)),
    [
      influxql('A', perGateway('last("battery_pct") AS "battery"'), {
        columns: { time: 'time', battery: 'number', gateway_id: 'string' },
      }),
    ],
  );
  d.panel(
    'CPU',
    new TimeseriesPanel()
      .title('CPU')
      .unit('percent')
      .gridPos(at(0, 6, 8, 6)),
    [
      influxql('A', perGateway('mean("cpu_pct") AS "cpu"'), {
        columns: { time: 'time', cpu: 'number', gateway_id: 'string' },
      }),
    ],
  );
  d.panel(
    'Memory (RSS)',
    new TimeseriesPanel()
      .title('Memory (RSS)')
      .unit('decmbytes')
      .gridPos(at(8, 6, 8, 6)),
    [
      influxql('A', perGateway('max("rss_mb") AS "rss_mb"'), {
        columns: { time: 'time', rss_mb: 'number', gateway_id: 'string' },
      }),
    ],
  );
  d.panel(
    'Disk used',
    new TimeseriesPanel()
      .title('Disk used')
      .unit('percent')
      .min(0)
      .max(100)
      .gridPos(at(16, 6, 8, 6)),
    [
      influxql('A', perGateway('max("disk_used_pct") AS "disk"'), {
        columns: { time: 'time', disk: 'number', gateway_id: 'string' },
      }),
    ],
  );
  d.panel('Agent and models', new TablePanel().title('Agent and models').gridPos(at(0, 12, 16, 10)), [
    influxql(
      'A',
      `SELECT last("agent_version") AS "agent", last("models") AS "models", last("drivers_up") AS "drivers_up",
  last("drivers_down") AS "drivers_down" FROM "gateway_heartbeat" WHERE $timeFilter GROUP BY "gateway_id"`,
      {
        columns: {
          gateway_id: 'string',
          agent: 'string',
          models: 'string',
          drivers_up: 'number',
          drivers_down: 'number',
        },
      },
      'table',
    ),
  ]);
  d.panel('Connections', new TablePanel().title('Connections').gridPos(at(16, 12, 8, 10)), [
    sql(
      'A',
      `SELECT g.id AS gateway, g.connected, g.last_seen_at AS last_seen, g.last_heartbeat->>'agentVersion' AS agent
FROM gateways g ORDER BY g.connected, g.id`,
      { columns: { gateway: 'string', connected: 'boolean', last_seen: 'time', agent: 'string' } },
    ),
  ]);
  return d.build('fleet.json');
}
