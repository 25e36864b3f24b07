import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatchWriter, type PointSink, PointsRejectedError } from './batch.writer.ts';
import type { TelemetryPoint } from './telemetry.points.ts';

const log = pino({ level: 'silent' });
const point = (i: number): TelemetryPoint => ({
  measurement: 'events',
  tags: { kind: 'fall' },
  fields: { count: 1, i },
  time: new Date(1_700_000_000_000 + i),
});

/** A sink that stores batches and fails while `down` is set. */
function fakeSink() {
  const batches: TelemetryPoint[][] = [];
  const sink = {
    down: false as boolean | 'reject',
    batches,
    written: () => batches.flat().map((p) => p.fields.i),
    async write(points: readonly TelemetryPoint[]) {
      await Promise.resolve();
      if (sink.down === 'reject') throw new PointsRejectedError('field type conflict');
      if (sink.down) throw new Error('ECONNREFUSED');
      batches.push([...points]);
    },
  } satisfies PointSink & Record<string, unknown>;
  return sink;
}

describe('batch writer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a partial batch when the flush interval passes, and a full batch at once', async () => {
    const sink = fakeSink();
    const w = createBatchWriter({ sink, log, batchSize: 3, flushIntervalMs: 1_000, maxBufferPoints: 100 });
    w.write([point(0), point(1)]);
    await vi.advanceTimersByTimeAsync(999);
    expect(sink.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.batches).toEqual([[point(0), point(1)]]);
    w.write([point(2), point(3), point(4)]); // a full batch does not wait for the timer
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.written()).toEqual([0, 1, 2, 3, 4]);
    expect(w.stats()).toMatchObject({ written: 5, buffered: 0, failedWrites: 0 });
    await w.close();
  });

  it('keeps points through an outage and retries with back-off, in order', async () => {
    const sink = fakeSink();
    sink.down = true;
    const w = createBatchWriter({
      sink,
      log,
      batchSize: 10,
      flushIntervalMs: 100,
      maxBufferPoints: 100,
      retryBaseMs: 1_000,
    });
    w.write([point(0), point(1)]);
    await vi.advanceTimersByTimeAsync(100); // first try fails → next no sooner than 1 s later
    await vi.advanceTimersByTimeAsync(900);
    expect(w.stats().failedWrites).toBe(1);
    w.write(point(2));
    await vi.advanceTimersByTimeAsync(200); // second failure → 2 s back-off
    expect(w.stats().failedWrites).toBe(2);
    sink.down = false;
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sink.batches).toHaveLength(0); // still backing off
    await vi.advanceTimersByTimeAsync(600);
    expect(sink.written()).toEqual([0, 1, 2]);
    expect(w.stats()).toMatchObject({ written: 3, buffered: 0, dropped: { overflow: 0 } });
    await w.close();
  });

  it('bounds the buffer: drops the oldest points and counts them', async () => {
    const sink = fakeSink();
    sink.down = true;
    const dropped: [string, number][] = [];
    const w = createBatchWriter({
      sink,
      log,
      batchSize: 2,
      flushIntervalMs: 50,
      maxBufferPoints: 5,
      counters: { written() {}, buffered() {}, dropped: (reason, n) => dropped.push([reason, n]) },
    });
    for (let i = 0; i < 12; i++) w.write(point(i));
    await vi.advanceTimersByTimeAsync(60);
    expect(w.stats().buffered).toBe(5);
    expect(w.stats().dropped.overflow).toBe(7);
    sink.down = false;
    await w.flush();
    expect(sink.written()).toEqual([7, 8, 9, 10, 11]);
    expect(dropped.reduce((n, [, k]) => n + k, 0)).toBe(7);
    await w.close();
  });

  it('drops a batch the sink rejects for good, and carries on', async () => {
    const sink = fakeSink();
    const w = createBatchWriter({ sink, log, batchSize: 2, flushIntervalMs: 50, maxBufferPoints: 10 });
    sink.down = 'reject';
    w.write([point(0), point(1)]);
    await vi.advanceTimersByTimeAsync(0);
    sink.down = false;
    w.write([point(2), point(3)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.written()).toEqual([2, 3]);
    expect(w.stats().dropped.rejected).toBe(2);
    await w.close();
  });

  it('on close writes what is left, or counts it as dropped when the sink stays down', async () => {
    const sink = fakeSink();
    const w = createBatchWriter({ sink, log, batchSize: 100, flushIntervalMs: 10_000, maxBufferPoints: 100 });
    w.write([point(0), point(1)]);
    await w.close();
    expect(sink.written()).toEqual([0, 1]);

    const down = fakeSink();
    down.down = true;
    const w2 = createBatchWriter({
      sink: down,
      log,
      batchSize: 100,
      flushIntervalMs: 10_000,
      maxBufferPoints: 100,
      retryBaseMs: 100,
    });
    w2.write([point(0), point(1), point(2)]);
    const closing = w2.close(1_000);
    await vi.advanceTimersByTimeAsync(1_100);
    await closing;
    expect(w2.stats().dropped.shutdown).toBe(3);
    w2.write(point(3)); // after close: counted, not queued
    expect(w2.stats()).toMatchObject({ buffered: 0, dropped: { shutdown: 4 } });
  });
});
