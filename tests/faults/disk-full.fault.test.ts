/**
 * Fault: the gateway's disk is full. Its data dir is a real tiny tmpfs (the kernel answers ENOSPC; needs
 * root — skipped, saying so, elsewhere), the cloud is cut off (tcp-proxy), telemetry-class test events
 * fill the disk until the outbox drops them (oldest first, counted), then SOS presses keep coming: each
 * takes the room of telemetry, and once only urgent events are left the next one is held in memory and
 * retried, loudly. The link returns, the outbox drains, the held event is written and delivered.
 * ANJU_FAULT_ROUNDS rounds of fill → urgent → drain (default 2; the last one also exhausts the disk).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN, enrolHousehold, heardFrom, ptysFor } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { apiClient, startCloudProcess, startGatewayProcess } from '../../tools/harness/processes.ts';
import { startTcpProxy } from '../../tools/harness/tcp-proxy.ts';
import { mountTinyTmpfs } from '../../tools/harness/tmpfs.ts';
import {
  cloudLedger,
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

const ROUNDS = rounds(2);
const DISK_BYTES = 256 * 1024;
const HELD = 'urgent event could not be written to the outbox: held in memory and retried';

const fsys = mountTinyTmpfs(DISK_BYTES);
const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  if ('dir' in fsys) fsys.unmount();
});

describe('fault: the gateway disk is full', () => {
  it.skipIf('unavailable' in fsys)(
    `${ROUNDS} rounds on a ${DISK_BYTES / 1024} KiB tmpfs: urgent events all kept and delivered, telemetry dropped oldest first and counted${'unavailable' in fsys ? ` — SKIPPED: ${fsys.unavailable}` : ''}`,
    async () => {
      const dir = (fsys as { dir: string }).dir;
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
      const gw = await startGatewayProcess({
        ...h,
        dir, // config and data dir on the tiny file system
        cloudUrl: `mqtt://127.0.0.1:${proxy.port}`,
        wristbandPath: h.rx,
        extraConfig: faultGatewayConfig(),
      });
      stops.push(() => gw.stop());
      const dataDir = join(dir, 'data');
      const bus = await localBus(dataDir);
      stops.push(() => bus.endAsync(true));
      await heardFrom(apiClient(cloud.httpUrl, API_TOKEN), h.gatewayId);
      // The agent's retained status, as `anju-gw status` reads it.
      type Status = { outbox: { dropped?: { diskFull: number }; unwritable?: number }; problems: string[] };
      let status: Status | undefined;
      bus.on('message', (topic, p) => {
        if (topic === 'home/agent/status') status = JSON.parse(p.toString()) as Status;
      });
      await bus.subscribeAsync('home/agent/status');

      let presses = 0;
      let heldSeen = false;
      for (let round = 0; round < ROUNDS; round++) {
        proxy.cut();
        // Telemetry until the disk refuses it a few times.
        const dropsBefore = droppedIds(gw).length;
        for (let i = 0; droppedIds(gw).length < dropsBefore + 3 && i < 2000; i++) {
          const before = raisedIds(gw).length + droppedIds(gw).length;
          await requestTest(bus);
          await waitFor(
            () => raisedIds(gw).length + droppedIds(gw).length > before,
            10_000,
            'test event settled',
          );
        }
        // Urgent events on the full disk: each one is written (telemetry makes room).
        const urgentBefore = raisedIds(gw).length;
        const lastRound = round === ROUNDS - 1;
        for (let i = 0; lastRound ? !heldSeen && i < 1000 : i < 8; i++) {
          presses++;
          await pressSos(bus);
          await waitFor(
            () => raisedIds(gw).length > urgentBefore + i || gw.count(HELD) > 0,
            10_000,
            'SOS written or held',
          );
          heldSeen = gw.count(HELD) > 0;
        }
        expect(gw.child.exitCode).toBeNull(); // never crashed on ENOSPC
        if (heldSeen) {
          // Said loudly: the status (anju-gw status exits 3 on a problem) names the unwritten urgent event.
          const loud = await waitFor(() => (status?.outbox.unwritable ?? 0) > 0 && status, 10_000, 'status');
          expect(loud.problems.join(' ')).toMatch(/urgent event\(s\) could not be written/);
        }
        proxy.restore();
        await waitFor(
          () => outboxFiles(dataDir).length === 0 && raisedIds(gw).length >= presses,
          60_000,
          'drained',
        );
      }
      expect(heldSeen).toBe(true);
      expect(gw.count('urgent event finally written')).toBe(1);

      const final = await waitFor(
        () =>
          status?.outbox.dropped?.diskFull === droppedIds(gw).length && !status.outbox.unwritable && status,
        15_000,
        'status with the drop count',
      );
      const sent = raisedIds(gw);
      const ledger = await waitFor(
        async () => {
          const l = await cloudLedger(cloud, h.residentId);
          return (
            l.events.length >= sent.length - droppedIds(gw).filter((id) => sent.includes(id)).length && l
          );
        },
        60_000,
        'events in the cloud',
      );
      const sosStored = ledger.events.filter((e) => e.kind === 'sos').length;
      const t = tally('fault disk-full', sent, ledger.events, {
        dropped: droppedIds(gw),
        note: `rounds=${ROUNDS} sos_pressed=${presses} sos_delivered=${sosStored} held_then_written=${gw.count('urgent event finally written')} status_dropped_diskFull=${final.outbox.dropped?.diskFull}`,
      });
      expect(t.lost).toBe(0);
      expect(t.duplicated).toBe(0);
      expect(sosStored).toBe(presses); // not one urgent event lost to the full disk
      const active = ledger.cases.map((c) => `${c.kind}/${c.test === true}`);
      expect(new Set(active).size).toBe(active.length);
    },
    300_000,
  );
});
