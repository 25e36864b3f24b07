/**
 * Fault: the gateway is killed with SIGKILL at a seeded random moment during a burst of events (SOS
 * presses and test events raised through the agent's own paths while it forwards to a real cloud
 * process), restarted on the same data dir, and killed again — ANJU_FAULT_ROUNDS times (default 6).
 * Every event the agent acknowledged as raised must reach the cloud exactly once, in one case per kind.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN, enrolHousehold, ptysFor } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { type CloudProc, startCloudProcess, startGatewayProcess } from '../../tools/harness/processes.ts';
import { mulberry32 } from '../../tools/random.ts';
import {
  cloudLedger,
  deliveredIds,
  faultGatewayConfig,
  localBus,
  outboxFiles,
  pressSos,
  raisedIds,
  requestTest,
  rounds,
  tally,
} from './fault-harness.ts';

const ROUNDS = rounds(6);
const SEED = Number(process.env.ANJU_FAULT_SEED ?? 7);
const BURST = 16;
const GAP_MS = 8;
const KILL_WINDOW_MS = 1000;

const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('fault: gateway kill -9 at random points during a burst', () => {
  it(`${ROUNDS} rounds (seed ${SEED}): every raised event delivered once, no duplicate case`, async () => {
    const cloud: CloudProc = await startCloudProcess({
      dataDir: mkdtempSync(join(tmpdir(), 'anju-fault-cloud-')),
      apiToken: API_TOKEN,
    });
    stops.push(() => cloud.stop());
    const h = await enrolHousehold(cloud);
    const pty = await ptysFor(h);
    stops.push(() => pty.stop());
    const dataDir = join(h.dir, 'data');
    const gatewayOptions = {
      ...h,
      cloudUrl: cloud.mqttUrl,
      wristbandPath: h.rx,
      extraConfig: faultGatewayConfig(),
    };

    const rand = mulberry32(SEED);
    const sent: string[] = [];
    const killPoints: number[] = [];
    let deliveredBeforeKill = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const gw = await startGatewayProcess(gatewayOptions);
      const bus = await localBus(dataDir);
      // Anywhere from before the first event is raised to after the last (raising and delivery under way).
      const killAtMs = Math.round(rand() * KILL_WINDOW_MS);
      killPoints.push(killAtMs);
      const burst = (async () => {
        for (let i = 0; i < BURST; i++) {
          await (i % 2 ? pressSos(bus) : requestTest(bus));
          await new Promise((r) => setTimeout(r, GAP_MS));
        }
      })().catch(() => {}); // the agent dies under it on purpose
      await new Promise((r) => setTimeout(r, killAtMs));
      await gw.kill9();
      // 'exit' can come before the last of its stdout was read: wait for the pipe to close.
      if (!gw.child.stdout!.closed) await once(gw.child.stdout!, 'close');
      bus.end(true); // publishes queued on the dead link never resolve: stop waiting for them
      await Promise.race([burst, new Promise((r) => setTimeout(r, 500))]);
      sent.push(...raisedIds(gw));
      deliveredBeforeKill += deliveredIds(gw).length;
    }

    // A last, undisturbed run drains what the killed ones left on disk.
    const last = await startGatewayProcess(gatewayOptions);
    stops.push(() => last.stop());
    await waitFor(() => outboxFiles(dataDir).length === 0, 90_000, 'outbox drained');
    const ledger = await waitFor(
      async () => {
        const l = await cloudLedger(cloud, h.residentId);
        return sent.every((id) => l.events.some((e) => e.id === id)) && l;
      },
      30_000,
      'every raised event in the cloud',
    ).catch(() => cloudLedger(cloud, h.residentId));

    const metrics = await (await fetch(`${cloud.httpUrl}/metrics`)).text();
    const resent = Number(/^anju_events_duplicate_total (\d+)/m.exec(metrics)?.[1] ?? 0);
    const unlogged = ledger.events.filter((e) => !sent.includes(e.id)).length;
    const t = tally('fault gateway-kill', sent, ledger.events, {
      note: `rounds=${ROUNDS} seed=${SEED} kill_at_ms=[${killPoints.join(',')}] delivered_before_kill=${deliveredBeforeKill} resends_absorbed=${resent} raised_unlogged=${unlogged} cases=${ledger.cases.length}`,
    });
    expect(t.sent).toBeGreaterThan(ROUNDS); // the kills did not all land before anything was raised
    expect(t.lost).toBe(0);
    expect(t.duplicated).toBe(0);
    // One active case per kind (sos, and the test events' own case): never a duplicate case.
    const active = ledger.cases.map((c) => `${c.kind}/${c.test === true}`);
    expect(new Set(active).size).toBe(active.length);
  }, 300_000);
});
