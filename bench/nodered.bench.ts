// Node-RED embedded as the gateway runs it: start time with the shipped flows and RSS once they run.
// Prints figures; asserts nothing. Run: npx tsx bench/nodered.bench.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { LocalBus } from '../edge/src/bus/local-broker.ts';
import { silentLogger } from '../edge/src/log/logger.ts';
import { type NodeRedConfig, NodeRedConfigSchema, startNodeRed } from '../edge/src/nodered/index.ts';
import { parseToolArgs } from '../tools/cli-args.ts';

// No options (sized by its constants or environment variables above): --help prints this file's opening comment.
parseToolArgs(import.meta.url, { options: {} });

const mb = (b: number) => Math.round(b / 1024 / 1024);
async function main() {
  const rssBefore = process.memoryUsage().rss;
  const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
  const config = Value.Default(NodeRedConfigSchema, {}) as NodeRedConfig;
  const t0 = performance.now();
  const nodeRed = await startNodeRed({
    config,
    dataDir: mkdtempSync(join(tmpdir(), 'anju-nodered-bench-')),
    bus,
    raise: () => Promise.resolve({ eventId: 'bench' }),
    log: silentLogger,
  });
  const startMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 2_000)); // let the flows' first ticks run
  global.gc?.();
  const rss = process.memoryUsage().rss;
  console.log(
    JSON.stringify({
      node: process.version,
      nodes: nodeRed?.nodeCount,
      startMs: Math.round(startMs),
      rssBeforeMb: mb(rssBefore),
      rssMb: mb(rss),
      rssAddedMb: mb(rss - rssBefore),
      heapUsedMb: mb(process.memoryUsage().heapUsed),
    }),
  );
  await nodeRed?.stop();
  await bus.close();
}
await main();
