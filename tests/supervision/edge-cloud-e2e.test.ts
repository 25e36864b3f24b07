/**
 * Issue 16 end to end: a real gateway agent (`anju-gw run`) and a real cloud (`anju-cloud serve` on its
 * embedded defaults). The wristband receiver's pty is closed → a `device_health` event (receiver_gone,
 * raised) reaches the cloud and a case is opened for it; the pty comes back → the `cleared` event arrives.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startWristbandSim } from '../../tools/harness/devices/wristband.sim.ts';
import { API_TOKEN, enrolHousehold, ptysFor, startCloudProcess } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { apiClient, startGatewayProcess } from '../../tools/harness/processes.ts';

const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s().catch(() => {});
});

describe('supervision end to end (real gateway, real cloud)', () => {
  it('closing the band receiver port opens a device_health case; reopening it sends the cleared event', async () => {
    const cloud = await startCloudProcess({
      dataDir: mkdtempSync(join(tmpdir(), 'anju-cloud-')),
      apiToken: API_TOKEN,
    });
    stops.push(() => cloud.stop());
    const h = await enrolHousehold(cloud);
    let pty = await ptysFor(h);
    stops.push(() => pty.stop());
    let sim = await startWristbandSim(h.tx, { worn: true });
    stops.push(() => sim.close());
    const gateway = await startGatewayProcess({
      ...h,
      cloudUrl: cloud.mqttUrl,
      wristbandPath: h.rx,
      scorer: 'fall-baseline',
      extraConfig: {
        nodeRed: { enabled: false },
        supervision: { checkIntervalMs: 200, band: { receiverGoneAfterS: 2 } },
      },
    });
    stops.push(() => gateway.stop());
    const api = apiClient(cloud.httpUrl, API_TOKEN);
    const healthEvents = async () => {
      const cases = (await api.get(`/cases?residentId=${h.residentId}`)).body.items as { id: string }[];
      const details = await Promise.all(cases.map(async (c) => (await api.get(`/cases/${c.id}`)).body));
      return {
        cases: details.filter((d) => d.kind === 'device_health'),
        events: details
          .flatMap((d) => d.events as { kind: string; evidence: Record<string, unknown> }[])
          .filter((e) => e.kind === 'device_health'),
      };
    };

    await sim.close();
    await pty.stop(); // the receiver unplugged
    const raised = await waitFor(
      async () => {
        const x = await healthEvents();
        return x.events.some((e) => e.evidence.faultState === 'raised') && x;
      },
      30_000,
      'receiver_gone case',
    );
    expect(raised.cases).toHaveLength(1);
    expect(raised.events[0]!.evidence).toMatchObject({
      fault: 'receiver_gone',
      device: 'band1',
      faultState: 'raised',
    });

    pty = await ptysFor(h);
    sim = await startWristbandSim(h.tx, { worn: true });
    await gateway.waitForLog('device fault cleared', 30_000);
    const cleared = await waitFor(
      async () => {
        const x = await healthEvents();
        return x.events.some((e) => e.evidence.faultState === 'cleared') && x;
      },
      30_000,
      'cleared event in the case',
    );
    expect(cleared.events.map((e) => e.evidence.faultState)).toEqual(['raised', 'cleared']);
  });
});
