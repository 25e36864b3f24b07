import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AlertEvent, newEventId } from '../contracts/src/index.ts';
import { DEFAULT_IN_FLIGHT_WINDOW } from '../edge/src/forwarder/delivery-window.ts';
import { silentLogger } from '../edge/src/log/logger.ts';
import { FileOutbox } from '../edge/src/outbox/file-outbox.store.ts';
import { API_TOKEN, databases, enrolHousehold, type Household, ptysFor } from '../tools/harness/home.ts';
import { waitFor } from '../tools/harness/net.ts';
import {
  type CloudProc,
  hasTaskset,
  type Proc,
  pinnedTo,
  startCloudProcess,
  startGatewayProcess,
} from '../tools/harness/processes.ts';
import { startTcpProxy } from '../tools/harness/tcp-proxy.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '240' },
    windows: { type: 'string', default: `1,${DEFAULT_IN_FLIGHT_WINDOW}` },
    'rtt-ms': { type: 'string', default: '0,40' },
    db: { type: 'string', default: 'pglite' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:drain -- [--events 240] [--windows 1,16] [--rtt-ms 0,40] [--db pglite|postgres]

  --events N      events waiting in the outbox (one SOS in twelve, the rest telemetry, as cloud-down-day)
  --windows a,b   in-flight windows to measure, in this order, against the same cloud
  --rtt-ms a,b    round-trip times added between gateway and cloud by a delaying TCP proxy (0 = direct)
  --db postgres   a fresh database on the server of DATABASE_URL (created and dropped)

Prints one line per round-trip time and window:
  drain-bench events=N window=W rtt_ms=R drain_ms=… events_per_s=…, then each window's ratio to the first.`);
  process.exit(0);
}
const N = Number(args.events);
const WINDOWS = args.windows.split(',').map(Number);
const RTTS = args['rtt-ms'].split(',').map(Number);
const db = databases.find((d) => d.name.toLowerCase().startsWith(args.db.toLowerCase()));
if (!db) throw new Error(`--db ${args.db}: not available (postgres needs DATABASE_URL)`);

/** The backlog, written through the agent's own outbox code into the directory it will reopen. */
async function fillOutbox(h: Household): Promise<void> {
  const dir = join(h.dir, 'data', 'outbox');
  mkdirSync(dir, { recursive: true });
  const outbox = new FileOutbox(dir, silentLogger, { limits: { maxEntries: N + 1, maxBytes: 1 << 30 } });
  for (let i = 0; i < N; i++) {
    const sos = i % 12 === 11;
    const at = new Date(Date.now() - (N - i) * 300_000).toISOString(); // one every 5 minutes, a day ago
    const ev: AlertEvent = {
      schema: 1,
      id: newEventId(),
      gatewayId: h.gatewayId,
      residentId: h.residentId,
      kind: sos ? 'sos' : 'device_health',
      severity: sos ? 'critical' : 'info',
      occurredAt: at,
      detectedAt: at,
      evidence: { n: i },
    };
    await outbox.append(ev);
  }
}

const timeOf = (p: Proc, msg: string, which: 'first' | 'last') => {
  const lines = p.lines.filter((l) => l.msg === msg);
  const line = which === 'first' ? lines[0] : lines.at(-1);
  if (!line) throw new Error(`no "${msg}" line`);
  return Number(line.time);
};

async function drainOnce(cloud: CloudProc, window: number, rttMs: number) {
  const h = await enrolHousehold(cloud);
  const pty = await ptysFor(h);
  await fillOutbox(h);
  const proxy = await startTcpProxy(
    { host: '127.0.0.1', port: Number(new URL(cloud.mqttUrl).port) },
    { rttMs },
  );
  const url = rttMs > 0 ? `mqtt://127.0.0.1:${proxy.port}` : cloud.mqttUrl;
  const gw = await startGatewayProcess({
    ...h,
    cloudUrl: url,
    wristbandPath: h.rx,
    extraConfig: {
      cloud: {
        url,
        secret: h.secret,
        reconnectMinMs: 100,
        reconnectMaxMs: 1000,
        inFlightWindow: window,
        telemetryPerS: 0, // unpaced: the link is what is measured (the cloud's limit is lifted too)
      },
      logFile: join(h.dir, 'agent.log'),
      fall: { scorer: 'fall-baseline' },
      nodeRed: { enabled: false },
      home: { enabled: false },
    },
    ...pinnedTo(0),
  });
  try {
    await waitFor(() => gw.count('event delivered (PUBACK)') >= N, 300_000, `${N} delivered`).catch((err) => {
      console.error(
        gw.lines
          .slice(-15)
          .map((l) => JSON.stringify(l))
          .join('\n'),
      );
      throw err;
    });
    const ms = timeOf(gw, 'event delivered (PUBACK)', 'last') - timeOf(gw, 'connected to cloud', 'first');
    const perS = (N / ms) * 1000;
    console.log(
      `drain-bench events=${N} window=${window} rtt_ms=${rttMs} drain_ms=${ms} events_per_s=${perS.toFixed(1)} ` +
        `failures=${gw.count('delivery failed; will retry')}`,
    );
    return perS;
  } finally {
    await gw.stop();
    await proxy.close();
    await pty.stop();
    rmSync(h.dir, { recursive: true, force: true });
  }
}

const fresh = await db.fresh();
const cloudDir = mkdtempSync(join(tmpdir(), 'anju-drain-cloud-'));
// The cloud's per-gateway rate limit (default 50/s after a burst of 200) would pace the drain; it is a
// cloud policy, not the forwarder, so it is lifted here and the printed rates are the link's own.
const configFile = join(cloudDir, 'cloud.json');
writeFileSync(
  configFile,
  JSON.stringify({ limits: { gatewayMessagesPerS: 100_000, gatewayBurst: 100_000 } }),
);
const cloud = await startCloudProcess({
  dataDir: join(cloudDir, 'data'),
  databaseUrl: fresh.url,
  apiToken: API_TOKEN,
  configFile,
  ...pinnedTo(1),
});
console.log(
  `database: ${db.name}; gateway ${hasTaskset ? 'pinned to core 0, cloud to core 1' : 'not pinned (no taskset)'}`,
);
try {
  for (const rtt of RTTS) {
    const rates = new Map<number, number>();
    for (const w of WINDOWS) rates.set(w, await drainOnce(cloud, w, rtt));
    const base = rates.get(WINDOWS[0]!)!;
    for (const w of WINDOWS.slice(1))
      console.log(
        `drain-bench ratio rtt_ms=${rtt} window=${w}/window=${WINDOWS[0]}: ${(rates.get(w)! / base).toFixed(2)}x`,
      );
  }
} finally {
  await cloud.stop();
  await fresh.drop();
  rmSync(cloudDir, { recursive: true, force: true });
}
