import type { Logger } from '../log/logger.ts';
import type { TelemetryPoint } from './telemetry.points.ts';

/** Where batches go: InfluxDB in production (influx.sink.ts), an array in tests. */
export interface PointSink {
  /** Writes the batch or throws. Throw `PointsRejectedError` when retrying cannot help (bad data). */
  write(points: readonly TelemetryPoint[]): Promise<void>;
}

/** The sink refused the batch for good (HTTP 4xx: a field type conflict, a parse error): drop, don't retry. */
export class PointsRejectedError extends Error {
  override readonly name = 'PointsRejectedError';
}

export type DropReason = 'overflow' | 'rejected' | 'shutdown';

export interface WriterStats {
  buffered: number;
  written: number;
  dropped: Record<DropReason, number>;
  failedWrites: number;
  /** Duration of the last successful write, ms. */
  lastFlushMs: number | undefined;
}

/** Optional counters (Prometheus) the writer reports to. */
export interface WriterCounters {
  written(n: number): void;
  dropped(reason: DropReason, n: number): void;
  buffered(n: number): void;
}

export interface BatchWriterOptions {
  sink: PointSink;
  log: Logger;
  batchSize: number;
  flushIntervalMs: number;
  maxBufferPoints: number;
  /** First retry delay after a failed write; doubles per failure up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  counters?: WriterCounters;
}

export interface BatchWriter {
  /** Queues points; never blocks, never throws. Past `maxBufferPoints` the OLDEST points are dropped. */
  write(points: TelemetryPoint | readonly TelemetryPoint[]): void;
  /** Writes what is buffered now, ignoring any retry back-off; resolves when empty or after a failure. */
  flush(): Promise<void>;
  stats(): WriterStats;
  /** Stops the timer and tries to write the rest for up to `timeoutMs`; what remains is counted as dropped. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Batches telemetry points to a sink: a write every `flushIntervalMs`, or as soon as `batchSize` points
 * wait; one write in flight at a time; failed writes are retried with exponential back-off while new
 * points keep queuing in a bounded buffer. Telemetry must never slow down or endanger ingest, so
 * overflow drops the oldest points (the newest say most about "now") and counts them.
 */
export function createBatchWriter(opts: BatchWriterOptions): BatchWriter {
  const { sink, batchSize, maxBufferPoints, counters } = opts;
  const retryBaseMs = opts.retryBaseMs ?? 250;
  const retryMaxMs = opts.retryMaxMs ?? 30_000;
  const log = opts.log.child({ component: 'telemetry-writer' });

  let buffer: TelemetryPoint[] = [];
  let inFlight: Promise<void> | undefined;
  let retryAt = 0;
  let consecutiveFailures = 0;
  let closed = false;
  const stats: WriterStats = {
    buffered: 0,
    written: 0,
    dropped: { overflow: 0, rejected: 0, shutdown: 0 },
    failedWrites: 0,
    lastFlushMs: undefined,
  };

  const drop = (reason: DropReason, n: number) => {
    if (n <= 0) return;
    stats.dropped[reason] += n;
    counters?.dropped(reason, n);
  };
  const trim = () => {
    const excess = buffer.length - maxBufferPoints;
    if (excess > 0) {
      buffer.splice(0, excess);
      drop('overflow', excess);
    }
    stats.buffered = buffer.length;
    counters?.buffered(buffer.length);
  };

  async function writeOne(): Promise<boolean> {
    const batch = buffer.splice(0, batchSize);
    const started = performance.now();
    try {
      await sink.write(batch);
      stats.lastFlushMs = performance.now() - started;
      stats.written += batch.length;
      counters?.written(batch.length);
      if (consecutiveFailures > 0) log.info({ after: consecutiveFailures }, 'telemetry writes recovered');
      consecutiveFailures = 0;
      return true;
    } catch (err) {
      stats.failedWrites++;
      if (err instanceof PointsRejectedError) {
        drop('rejected', batch.length);
        log.warn({ err: err.message, points: batch.length }, 'telemetry batch rejected, dropped');
        return true; // the next batch is unrelated: carry on
      }
      consecutiveFailures++;
      buffer = batch.concat(buffer); // back to the front, in order
      const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (consecutiveFailures - 1));
      retryAt = Date.now() + delay;
      // Warn on the first failure and then only now and then: an outage must not flood the log.
      if (consecutiveFailures === 1 || consecutiveFailures % 20 === 0) {
        log.warn({ err, attempt: consecutiveFailures, retryInMs: delay }, 'telemetry write failed');
      }
      return false;
    } finally {
      trim();
    }
  }

  function drain(force: boolean): Promise<void> {
    if (inFlight !== undefined) return inFlight;
    const run = (async () => {
      if (force) retryAt = 0;
      while (buffer.length > 0 && Date.now() >= retryAt) {
        if (!(await writeOne())) break;
        // Only full batches go out early; a partial one waits for the timer (or a flush).
        if (!force && buffer.length < batchSize) break;
      }
    })();
    // Cleared by whoever finishes, never before it is set (the loop may finish without awaiting).
    const tracked: Promise<void> = run.finally(() => {
      if (inFlight === tracked) inFlight = undefined;
    });
    inFlight = tracked;
    return tracked;
  }

  const timer = setInterval(() => {
    if (buffer.length > 0) void drain(false);
  }, opts.flushIntervalMs);
  timer.unref();

  return {
    write(points) {
      if (closed) {
        drop('shutdown', Array.isArray(points) ? points.length : 1);
        return;
      }
      if (Array.isArray(points)) buffer.push(...(points as TelemetryPoint[]));
      else buffer.push(points as TelemetryPoint);
      trim();
      if (buffer.length >= batchSize && inFlight === undefined && Date.now() >= retryAt) void drain(false);
    },
    async flush() {
      if (inFlight !== undefined) await inFlight;
      await drain(true);
    },
    stats: () => ({ ...stats, dropped: { ...stats.dropped } }),
    async close(timeoutMs = 5_000) {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      const until = Date.now() + timeoutMs;
      while (buffer.length > 0 && Date.now() < until) {
        if (inFlight !== undefined) await inFlight;
        const before = stats.failedWrites;
        await drain(true);
        if (stats.failedWrites > before && buffer.length > 0) {
          await new Promise((r) => setTimeout(r, Math.min(retryBaseMs, Math.max(0, until - Date.now()))));
        }
      }
      if (inFlight !== undefined) await inFlight;
      drop('shutdown', buffer.length);
      if (buffer.length > 0) log.warn({ points: buffer.length }, 'telemetry points dropped at shutdown');
      buffer = [];
      trim();
    },
  };
}
