// Telemetry writer throughput against a real InfluxDB (Debian's influxd, started here on loopback):
// heartbeats pushed through the cloud's writer in batches, three rounds, medians printed.

import { startTelemetry } from '../cloud/src/telemetry/index.ts';
import { silentLogger } from '../edge/src/log/logger.ts';
import { parseToolArgs } from '../tools/cli-args.ts';
import { hasInfluxd, startInfluxd } from '../tools/harness/influxd.ts';

// No options (sized by its constants or environment variables above): --help prints this file's opening comment.
parseToolArgs(import.meta.url, { options: {} });

const POINTS = 20_000;
const ROUNDS = 3;
if (!hasInfluxd) {
  console.error('telemetry bench: influxd not found (apt-get install influxdb)');
  process.exit(2);
}
const influxd = await startInfluxd();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rates: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const telemetry = startTelemetry(
      {
        url: influxd.url,
        database: `bench${round}`,
        batchSize: 500,
        flushIntervalMs: 50,
        maxBufferPoints: POINTS * 2,
      },
      { log: silentLogger },
    );
    await telemetry.flush();
    const started = performance.now();
    for (let i = 0; i < POINTS; i++) {
      telemetry.heartbeat(
        {
          schema: 1,
          gatewayId: `gw-${i % 500}`,
          sentAt: new Date(Date.now() - (POINTS - i) * 1000).toISOString(),
          agentVersion: '0.1.0',
          uptimeS: i,
          outboxDepth: i % 3,
          drivers: { band1: 'up' },
          models: [{ name: 'fall-mlp', version: '2.0.0' }],
          rssMb: 120,
          cpuPct: 2.5,
          diskUsedPct: 40,
        },
        new Date(Date.now() - (POINTS - i) * 1000),
      );
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    await telemetry.flush();
    const seconds = (performance.now() - started) / 1000;
    const stats = telemetry.stats();
    await telemetry.close();
    const written = stats?.written ?? 0; // a heartbeat is two points: gateway_heartbeat and gateway_models
    rates.push(written / seconds);
    console.log(
      `round ${round + 1}: ${POINTS} heartbeats = ${written} points in ${seconds.toFixed(2)} s (${Math.round(written / seconds)} points/s) ${JSON.stringify(stats)}`,
    );
  }
} finally {
  await influxd.stop();
}
console.log(
  `telemetry-bench heartbeats=${POINTS} rounds=${ROUNDS} points_per_s_median=${Math.round(median(rates))}`,
);
