export {
  type BatchWriter,
  type BatchWriterOptions,
  createBatchWriter,
  type DropReason,
  type PointSink,
  PointsRejectedError,
  type WriterCounters,
  type WriterStats,
} from './batch.writer.ts';
export { createInfluxSink, type InfluxSettings, type InfluxSink } from './influx.sink.ts';
export * from './telemetry.points.ts';
export {
  createTelemetry,
  noTelemetry,
  startTelemetry,
  TELEMETRY_DEFAULTS,
  type Telemetry,
  type TelemetryConfig,
} from './telemetry.ts';
