import { InfluxDB, type IPoint } from 'influx';
import { type PointSink, PointsRejectedError } from './batch.writer.ts';
import type { TelemetryPoint } from './telemetry.points.ts';

export interface InfluxSettings {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
}

export interface InfluxSink extends PointSink {
  /** `CREATE DATABASE` (a no-op when it exists). On 2.x/3.x map the bucket instead; failure is reported, not fatal. */
  ensureDatabase(): Promise<void>;
  /** InfluxQL, for tests and tools; rows as the HTTP API returns them. */
  query<T = Record<string, unknown>>(influxql: string): Promise<T[]>;
}

/**
 * The InfluxDB v1 HTTP API (`/write` line protocol, `/query` InfluxQL) through `influx@5`. The v1 API is
 * the one InfluxDB 1.8+, 2.x (compatibility endpoints, DBRP mapping) and 3.x all serve, so the same sink
 * talks to each; `@influxdata/influxdb-client` would limit us to /api/v2.
 */
export function createInfluxSink(settings: InfluxSettings): InfluxSink {
  const url = new URL(settings.url);
  const client = new InfluxDB({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    database: settings.database,
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    // Our writer retries with back-off and keeps the points; the pool must fail fast, not retry on its own.
    pool: { maxRetries: 0, requestTimeout: 10_000 },
  });

  return {
    async write(points) {
      try {
        await client.writePoints(points.map(toIPoint), { precision: 'ms' });
      } catch (err) {
        const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
        // 4xx (bad line protocol, field type conflict, unknown database): the same batch would fail again.
        if (status !== undefined && status >= 400 && status < 500 && status !== 404 && status !== 429) {
          throw new PointsRejectedError((err as Error).message, { cause: err });
        }
        throw err;
      }
    },
    async ensureDatabase() {
      await client.createDatabase(settings.database);
    },
    async query<T>(influxql: string) {
      return [...(await client.query<T>(influxql, { precision: 'ms' }))] as T[];
    },
  };
}

function toIPoint(p: TelemetryPoint): IPoint {
  return { measurement: p.measurement, tags: { ...p.tags }, fields: { ...p.fields }, timestamp: p.time };
}
