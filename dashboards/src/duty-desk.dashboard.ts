import { FrameGeometrySourceMode } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  MappingType,
  TextBoxVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GeomapPanel } from '@grafana/grafana-foundation-sdk/geomap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { TERMINAL_STATES } from '../../cloud/src/cases/case-state-machine.ts';
import { type BuiltDashboard, DashboardDraft } from './dashboard-draft.ts';
import { at, CONSOLE_URL_DEFAULT, CONSOLE_URL_VARIABLE, consoleLink, trafficLight } from './field-config.ts';
import { influxql, sql } from './panel-query.ts';

/**
 * Active (not finished), non-test cases with the resident's name: the duty desk's base set. "Active" is
 * every state that is not terminal in cloud/src/cases/case-state-machine.ts (open, assigned,
 * acknowledged, en_route, on_site), the same rule as the one-active-case index of migration 003.
 */
const OPEN = `FROM cases c JOIN residents r ON r.id = c.resident_id
WHERE c.status NOT IN (${TERMINAL_STATES.map((s) => `'${s}'`).join(', ')}) AND NOT c.test`;

/**
 * The duty desk: what needs a person now. Open cases by level, with age and assignee; those past their
 * acknowledgement deadline in red; where they are; the event flow by kind; gateways that went quiet.
 */
export function dutyDeskDashboard(): BuiltDashboard {
  const d = new DashboardDraft(
    new DashboardBuilder('Anju · Duty desk')
      .uid('anju-duty-desk')
      .tags(['anju'])
      .refresh('10s')
      .time({ from: 'now-24h', to: 'now' })
      .timezone('browser')
      .readonly()
      .withVariable(consoleUrlVariable()),
  );

  d.panel(
    'Open cases by level',
    new StatPanel()
      .title('Open cases by level')
      .gridPos(at(0, 0, 8, 6))
      .thresholds(trafficLight(1, 3)),
    [
      sql(
        'A',
        `SELECT coalesce('L' || c.level::text, 'no level') AS level, count(*)::int AS cases ${OPEN}
GROUP BY 1 ORDER BY 1`,
        { columns: { level: 'string', cases: 'number' } },
      ),
    ],
  );

  d.panel(
    'Gateways offline',
    new StatPanel()
      .title('Gateways offline')
      .gridPos(at(8, 0, 4, 6))
      .thresholds(trafficLight(1, 5)),
    [
      sql('A', 'SELECT count(*)::int AS offline FROM gateways WHERE NOT connected', {
        columns: { offline: 'number' },
      }),
    ],
  );

  d.panel(
    'Events per hour by kind',
    new TimeseriesPanel()
      .title('Events per hour by kind')
      .gridPos(at(12, 0, 12, 6))
      .fillOpacity(20),
    [
      influxql(
        'A',
        `SELECT sum("count") AS "events" FROM "events" WHERE "test" = 'false' AND $timeFilter GROUP BY time(1h), "kind" fill(0)`,
        { columns: { time: 'time', events: 'number', kind: 'string' } },
      ),
    ],
  );

  d.panel(
    'Open cases',
    new TablePanel()
      .title('Open cases')
      .description('Red rows are past their acknowledgement deadline.')
      .gridPos(at(0, 6, 16, 12))
      .overrideByName('age_s', [{ id: 'unit', value: 's' }])
      .overrideByName('case_id', [consoleLink('Open the case in the console', 'cases')])
      .overrideByName('overdue', [
        { id: 'custom.cellOptions', value: { type: 'color-background', applyToRow: true, mode: 'basic' } },
        {
          id: 'mappings',
          value: [
            {
              type: MappingType.ValueToText,
              options: {
                true: { text: 'OVERDUE', color: 'red', index: 0 },
                false: { text: '', color: 'transparent', index: 1 },
              },
            },
          ],
        },
      ]),
    [
      sql(
        'A',
        `SELECT c.id AS case_id, r.name AS resident, c.kind, c.severity, c.level, c.opened_at AS opened,
  extract(epoch FROM now() - c.opened_at)::int AS age_s, coalesce(c.assignee, '—') AS assignee, c.station,
  c.ack_deadline_at AS ack_deadline, coalesce(c.ack_deadline_at < now(), false) AS overdue
${OPEN}
ORDER BY overdue DESC, c.level DESC NULLS LAST, c.opened_at`,
        {
          columns: {
            case_id: 'string',
            resident: 'string',
            kind: 'string',
            severity: 'string',
            level: 'number',
            opened: 'time',
            age_s: 'number',
            assignee: 'string',
            station: 'string',
            ack_deadline: 'time',
            overdue: 'boolean',
          },
        },
      ),
    ],
  );

  d.panel(
    'Gateways not connected',
    new TablePanel()
      .title('Gateways not connected')
      .gridPos(at(16, 6, 8, 12))
      .overrideByName('offline_s', [{ id: 'unit', value: 's' }]),
    [
      sql(
        'A',
        `SELECT g.id AS gateway, r.name AS resident, g.last_seen_at AS last_seen,
  extract(epoch FROM now() - g.last_seen_at)::int AS offline_s
FROM gateways g JOIN residents r ON r.id = g.resident_id
WHERE NOT g.connected ORDER BY g.last_seen_at NULLS FIRST`,
        { columns: { gateway: 'string', resident: 'string', last_seen: 'time', offline_s: 'number' } },
      ),
    ],
  );

  d.panel(
    'Residents with open cases',
    new GeomapPanel()
      .title('Residents with open cases')
      .gridPos(at(0, 18, 24, 12))
      .view({ build: () => ({ id: 'fit', lat: 31.23, lon: 121.47, zoom: 11 }) })
      .layers([
        {
          build: () => ({
            type: 'markers',
            name: 'Open cases',
            tooltip: true,
            location: { mode: FrameGeometrySourceMode.Coords, latitude: 'latitude', longitude: 'longitude' },
            config: {
              showLegend: true,
              style: {
                color: { field: 'level', fixed: 'red' },
                size: { field: 'open_cases', fixed: 8, min: 6, max: 20 },
                text: { field: 'resident', mode: 'field' },
              },
            },
          }),
        },
      ]),
    [
      sql(
        'A',
        `SELECT r.name AS resident, r.lat AS latitude, r.lon AS longitude, max(c.level)::int AS level,
  count(*)::int AS open_cases
${OPEN} AND r.lat IS NOT NULL AND r.lon IS NOT NULL
GROUP BY r.id, r.name, r.lat, r.lon`,
        {
          columns: {
            resident: 'string',
            latitude: 'number',
            longitude: 'number',
            level: 'number',
            open_cases: 'number',
          },
        },
      ),
    ],
  );

  // Issue 16: each home's health at a glance — the gateway (heard, silent, planned outage), the band, its
  // receiver and the home's sensors and meters, from the heartbeat's drivers map and open device faults.
  const fault = (pattern: string) =>
    `coalesce((SELECT string_agg(DISTINCT split_part(c.fault_key, ':', 1) || ' ' || split_part(c.fault_key, ':', 2), ', ')
    FROM cases c WHERE c.resident_id = g.resident_id AND c.kind = 'device_health' AND NOT c.test
      AND c.status NOT IN (${TERMINAL_STATES.map((st) => `'${st}'`).join(', ')}) AND c.fault_key LIKE '${pattern}'), 'ok')`;
  d.panel(
    'Home health: gateway, band, receiver, sensors',
    new TablePanel()
      .title('Home health: gateway, band, receiver, sensors')
      .gridPos(at(0, 30, 24, 10))
      .overrideByName('silent_s', [{ id: 'unit', value: 's' }]),
    [
      sql(
        'A',
        `SELECT r.name AS resident, g.id AS gateway,
  CASE WHEN g.silent_since IS NOT NULL THEN 'silent'
       WHEN g.maintenance_until > now() THEN 'planned outage'
       WHEN g.last_heartbeat_at IS NULL THEN 'never heard'
       ELSE 'ok' END AS gateway_state,
  ${fault('band%')} AS band,
  ${fault('receiver%')} AS receiver,
  ${fault('sensor%')} AS sensors,
  ${fault('meter%')} AS meters,
  coalesce((SELECT string_agg(d.key, ', ' ORDER BY d.key) FROM jsonb_each_text(g.last_heartbeat->'drivers') AS d
    WHERE d.value = 'down'), '') AS drivers_down,
  g.last_heartbeat_at AS last_heartbeat,
  coalesce(extract(epoch FROM now() - g.silent_since)::int, 0) AS silent_s
FROM gateways g JOIN residents r ON r.id = g.resident_id
ORDER BY (g.silent_since IS NOT NULL) DESC, r.name`,
        {
          columns: {
            resident: 'string',
            gateway: 'string',
            gateway_state: 'string',
            band: 'string',
            receiver: 'string',
            sensors: 'string',
            meters: 'string',
            drivers_down: 'string',
            last_heartbeat: 'time',
            silent_s: 'number',
          },
        },
      ),
    ],
  );

  return d.build('duty-desk.json');
}

/** The console's address for the case and resident links (a text box; default the cloud's publicUrl). */
export function consoleUrlVariable(): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder(CONSOLE_URL_VARIABLE)
    .label('Console URL')
    .defaultValue(CONSOLE_URL_DEFAULT)
    .current({ text: CONSOLE_URL_DEFAULT, value: CONSOLE_URL_DEFAULT });
}
