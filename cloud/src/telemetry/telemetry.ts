import type { AlertEvent } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import {
  type BatchWriter,
  createBatchWriter,
  type PointSink,
  type WriterCounters,
  type WriterStats,
} from './batch.writer.ts';
import { createInfluxSink, type InfluxSettings } from './influx.sink.ts';
import {
  type CaseChange,
  caseChangePoint,
  eventPoint,
  type GatewayHealth,
  heartbeatPoints,
  type ResidentDaily,
  residentDailyPoint,
} from './telemetry.points.ts';

/**
 * What the rest of the cloud tells telemetry. Ingest and cases call these after their commit; the calls
 * return at once (points are buffered) and never throw, so telemetry cannot fail or slow a message.
 */
export interface Telemetry {
  readonly enabled: boolean;
  /** An alert event was stored (not for duplicates). */
  eventStored(ev: AlertEvent): void;
  /** A case was opened or acknowledged. */
  caseChanged(change: CaseChange): void;
  /** A gateway heartbeat was recorded. */
  heartbeat(hb: GatewayHealth, receivedAt?: Date): void;
  /** A resident's daily summary arrived from the gateway (`gw/<id>/daily`). */
  residentDaily(day: ResidentDaily): void;
  /** Writes what is buffered now (tests, tools). */
  flush(): Promise<void>;
  stats(): WriterStats | undefined;
  close(): Promise<void>;
}

/** Telemetry off: no InfluxDB configured. */
export const noTelemetry: Telemetry = {
  enabled: false,
  eventStored() {},
  caseChanged() {},
  heartbeat() {},
  residentDaily() {},
  flush: () => Promise.resolve(),
  stats: () => undefined,
  close: () => Promise.resolve(),
};

export interface TelemetryConfig extends Partial<InfluxSettings> {
  url: string;
  batchSize?: number | undefined;
  flushIntervalMs?: number | undefined;
  maxBufferPoints?: number | undefined;
}

export const TELEMETRY_DEFAULTS = {
  database: 'anju',
  batchSize: 500,
  flushIntervalMs: 1_000,
  maxBufferPoints: 50_000,
} as const;

/** Telemetry over any sink (tests pass an in-memory one). */
export function createTelemetry(writer: BatchWriter, log: Logger): Telemetry {
  // A point builder choking on odd input must never reach ingest: log it and carry on.
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      log.warn({ err }, 'telemetry point not built');
    }
  };
  return {
    enabled: true,
    eventStored: (ev) => guard(() => writer.write(eventPoint(ev))),
    caseChanged: (c) => guard(() => writer.write(caseChangePoint(c))),
    heartbeat: (hb, at = new Date()) => guard(() => writer.write(heartbeatPoints(hb, at))),
    residentDaily: (d) =>
      guard(() => {
        const p = residentDailyPoint(d);
        if (p) writer.write(p);
      }),
    flush: () => writer.flush(),
    stats: () => writer.stats(),
    close: () => writer.close(),
  };
}

/**
 * Telemetry to InfluxDB per the `influx` config block, or `noTelemetry` when there is none. Creating the
 * database is attempted once at start; if InfluxDB is down, points queue (bounded) until it is back.
 */
export function startTelemetry(
  config: Readonly<TelemetryConfig> | undefined,
  deps: { log: Logger; counters?: WriterCounters; sink?: PointSink },
): Telemetry {
  if (!config) return noTelemetry;
  const log = deps.log.child({ component: 'telemetry' });
  const database = config.database ?? TELEMETRY_DEFAULTS.database;
  const influx = createInfluxSink({
    url: config.url,
    database,
    username: config.username,
    password: config.password,
  });
  void influx
    .ensureDatabase()
    .catch((err: unknown) =>
      log.warn({ err: (err as Error).message, database }, 'could not create the telemetry database'),
    );
  const writer = createBatchWriter({
    sink: deps.sink ?? influx,
    log,
    batchSize: config.batchSize ?? TELEMETRY_DEFAULTS.batchSize,
    flushIntervalMs: config.flushIntervalMs ?? TELEMETRY_DEFAULTS.flushIntervalMs,
    maxBufferPoints: config.maxBufferPoints ?? TELEMETRY_DEFAULTS.maxBufferPoints,
    ...(deps.counters ? { counters: deps.counters } : {}),
  });
  log.info({ url: new URL(config.url).origin, database }, 'telemetry to InfluxDB on');
  return createTelemetry(writer, log);
}
