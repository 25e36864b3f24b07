import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The two datasources every panel names by uid. The provisioning file
 * (`dashboards/provisioning/datasources/anju.yaml`) creates them with these uids, so the dashboards work
 * in any Grafana pointed at the folder without editing.
 */
export const INFLUX: DataSourceRef = { type: 'influxdb', uid: 'anju-influx' };
export const POSTGRES: DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'anju-postgres' };
