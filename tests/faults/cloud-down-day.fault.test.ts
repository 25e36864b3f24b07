/**
 * Fault: the cloud is unreachable for a (compressed) day. With the link cut (tcp-proxy), the agent
 * raises a day's worth of events — a telemetry-class test event every 5 minutes (288; a pessimistic
 * home, most raise a handful a day) and an SOS every hour (24), raised back to back instead of over 24 h —
 * into an outbox bounded at 240 entries (ANJU_FAULT_DAY_TELEMETRY and ANJU_FAULT_DAY_BOUND change both).
 * The bound holds (telemetry dropped oldest first and counted, no SOS dropped); when the link returns,
 * everything kept is delivered in the order it was raised, once, and the drain time is printed.
 * ANJU_FAULT_ROUNDS days (default 1).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN, enrolHousehold, ptysFor } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { startCloudProcess, startGatewayProcess } from '../../tools/harness/processes.ts';
import { startTcpProxy } from '../../tools/harness/tcp-proxy.ts';
import {
  cloudLedger,
  deliveredIds,
  droppedIds,
  faultGatewayConfig,
  localBus,
  outboxFiles,
  pressSos,
  raisedIds,
  requestTest,
  rounds,
  tally,
} from './fault-harness.ts';

const DAYS = rounds(1);
/** Telemetry events in the day: ANJU_FAULT_DAY_TELEMETRY, default 288 (one every 5 minutes). */
const TELEMETRY_PER_DAY = Number(process.env.ANJU_FAULT_DAY_TELEMETRY ?? 288);
const SOS_PER_DAY = 24; // one an hour
/** The outbox bound: below a day's worth, so the bound is hit (ANJU_FAULT_DAY_BOUND). */
const OUTBOX_MAX_ENTRIES = Number(process.env.ANJU_FAULT_DAY_BOUND ?? 240);

const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('fault: the cloud is down for a day', () => {
  it(`${DAYS} day(s) of ${TELEMETRY_PER_DAY} telemetry + ${SOS_PER_DAY} SOS into an outbox bounded at ${OUTBOX_MAX_ENTRIES}: bounded, every SOS kept, delivered in order on return`, async () => {
    const cloud = await startCloudProcess({
      dataDir: mkdtempSync(join(tmpdir(), 'anju-fault-cloud-')),
      apiToken: API_TOKEN,
    });
    stops.push(() => cloud.stop());
    const h = await enrolHousehold(cloud);
    const pty = await ptysFor(h);
    stops.push(() => pty.stop());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(cloud.mqttUrl).port) });
    stops.push(() => proxy.close());
    proxy.cut();
    const gw = await startGatewayProcess({
      ...h,
      cloudUrl: `mqtt://127.0.0.1:${proxy.port}`,
      wristbandPath: h.rx,
      extraConfig: faultGatewayConfig({ outbox: { maxEntries: OUTBOX_MAX_ENTRIES } }),
    });
    stops.push(() => gw.stop());
    const dataDir = join(h.dir, 'data');
    const bus = await localBus(dataDir);
    stops.push(() => bus.endAsync(true));

    const every = Math.round(TELEMETRY_PER_DAY / SOS_PER_DAY);
    const drains: number[] = [];
    let maxDepth = 0;
    let sosPressed = 0;
    for (let day = 0; day < DAYS; day++) {
      proxy.cut();
      const settledBefore = raisedIds(gw).length + droppedIds(gw).length;
      let requested = 0;
      for (let i = 0; i < TELEMETRY_PER_DAY; i++) {
        await requestTest(bus);
        requested++;
        if (i % every === every - 1) {
          await pressSos(bus);
          sosPressed++;
          requested++;
        }
        // Keep at most a few dozen in flight so the agent is not buried (a day is long, really).
        if (i % 25 === 24)
          await waitFor(
            () => raisedIds(gw).length + droppedIds(gw).length >= settledBefore + requested - 25,
            30_000,
            'raising keeps up',
          );
        maxDepth = Math.max(maxDepth, outboxFiles(dataDir).length);
      }
      await waitFor(
        () => raisedIds(gw).length + droppedIds(gw).length - settledBefore >= requested,
        60_000,
        'the day raised',
      );
      maxDepth = Math.max(maxDepth, outboxFiles(dataDir).length);
      expect(outboxFiles(dataDir).length).toBeLessThanOrEqual(OUTBOX_MAX_ENTRIES);
      const returnedAt = Date.now();
      proxy.restore();
      await waitFor(() => outboxFiles(dataDir).length === 0, 180_000, 'outbox drained');
      drains.push(Date.now() - returnedAt);
    }

    const sent = raisedIds(gw);
    const dropped = droppedIds(gw);
    const kept = sent.filter((id) => !dropped.includes(id));
    // The last file goes before its 'delivered' line reaches us through the agent's stdout.
    await waitFor(() => deliveredIds(gw).length >= kept.length, 10_000, 'the last delivered line').catch(
      () => {},
    );
    // In order: what the gateway delivered (PUBACK by PUBACK) is what it kept, in the order it raised it.
    expect(deliveredIds(gw)).toEqual(kept);
    const ledger = await waitFor(
      async () => {
        const l = await cloudLedger(cloud, h.residentId);
        return l.events.length >= kept.length && l;
      },
      60_000,
      'kept events in the cloud',
    );
    const sos = ledger.events.filter((e) => e.kind === 'sos').length;
    const t = tally('fault cloud-down-day', sent, ledger.events, {
      dropped,
      note: `days=${DAYS} max_outbox_depth=${maxDepth} sos_pressed=${sosPressed} sos_delivered=${sos} drain_ms=[${drains.join(',')}] drain_events_per_s=${Math.round((kept.length / DAYS / (drains.reduce((a, b) => a + b, 0) / DAYS)) * 1000)}`,
    });
    expect(t.lost).toBe(0);
    expect(t.duplicated).toBe(0);
    expect(sos).toBe(sosPressed);
    expect(maxDepth).toBeLessThanOrEqual(OUTBOX_MAX_ENTRIES);
    expect(dropped.length).toBeGreaterThan(0);
  }, 400_000);
});
