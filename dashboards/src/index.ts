import type { BuiltDashboard } from './dashboard-draft.ts';
import { dutyDeskDashboard } from './duty-desk.dashboard.ts';
import { fleetDashboard } from './fleet.dashboard.ts';
import { residentDashboard } from './resident.dashboard.ts';
import { serviceQualityDashboard } from './service-quality.dashboard.ts';

export type { BuiltDashboard, RecordedQuery } from './dashboard-draft.ts';
export { INFLUX, POSTGRES } from './datasources.ts';
export type { ColumnKind, QueryShape } from './panel-query.ts';

/** Every dashboard, in the order they are listed in the folder. */
export function buildDashboards(): BuiltDashboard[] {
  return [dutyDeskDashboard(), residentDashboard(), fleetDashboard(), serviceQualityDashboard()];
}

/** The file text of a dashboard: pretty JSON with a final newline (stable, diff-friendly). */
export const dashboardText = (b: BuiltDashboard): string => `${JSON.stringify(b.dashboard, null, 2)}\n`;
