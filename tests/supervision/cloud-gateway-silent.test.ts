/**
 * Issue 16, cloud half: gateway-silent supervision with real processes — `anju-cloud serve` and the real
 * gateway agent (`anju-gw run`, heartbeat every 5 s) on a pty pair. kill -9 the agent → ONE
 * gateway_silent device_health case within interval + 60 s, routed to the duty desk (no guardian text);
 * start it again → the case closes itself. A planned outage set by the desk → no case. The cloud killed
 * and started again after longer than interval + grace → no case. PGlite always, PostgreSQL when
 * DATABASE_URL is set.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_TOKEN, databases, enrolHousehold, type Household, ptysFor } from '../../tools/harness/home.ts';
import { freePort, waitFor } from '../../tools/harness/net.ts';
import {
  apiClient,
  type CloudProc,
  type Proc,
  startCloudProcess,
  startGatewayProcess,
} from '../../tools/harness/processes.ts';

const INTERVAL_S = 5;
const GRACE_S = 3;

const stops: (() => Promise<unknown>)[] = [];
// Agents, ptys, clouds of both databases and a database drop: more than the default 10 s hook timeout.
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s().catch(() => {});
}, 120_000);

interface CaseRow {
  id: string;
  kind: string;
  status: string;
  level: number | null;
}

describe.each(databases)('gateway-silent supervision with real processes ($name)', (database) => {
  let cloud: CloudProc;
  let api: ReturnType<typeof apiClient>;
  let h: Household;
  let gw: Proc | undefined;
  let startCloud: () => Promise<CloudProc>;
  let startGateway: () => Promise<Proc>;

  const silentCases = async (): Promise<CaseRow[]> => {
    const r = await api.get(`/cases?residentId=${h.residentId}&kind=device_health&limit=50`);
    expect(r.status).toBe(200);
    return (r.body.items as CaseRow[]).filter((c) => c.kind === 'device_health');
  };
  const heartbeatAt = async () =>
    (await api.get(`/gateways/${h.gatewayId}`)).body.lastHeartbeatAt as string | null;

  it('starts a cloud and a gateway agent that heartbeats every 5 s', async () => {
    const fresh = await database.fresh();
    stops.push(fresh.drop);
    const dir = mkdtempSync(join(tmpdir(), 'anju-sup-cloud-'));
    const configFile = join(dir, 'cloud.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        escalation: { pollIntervalMs: 200 },
        supervision: {
          graceS: GRACE_S,
          pollIntervalMs: 500,
          outageGapS: 4,
          defaultHeartbeatIntervalS: INTERVAL_S,
        },
        dispatch: {
          skillsByKind: {},
          loadPenaltyKm: 2,
          dutyDesk: { name: 'desk', phone: '+8613800000000', language: 'zh-CN' },
        },
      }),
    );
    const mqttPort = await freePort();
    startCloud = async () => {
      const c = await startCloudProcess({
        dataDir: join(dir, 'db'),
        databaseUrl: fresh.url,
        apiToken: API_TOKEN,
        configFile,
        mqttPort,
      });
      stops.push(() => c.stop());
      return c;
    };
    cloud = await startCloud();
    api = apiClient(cloud.httpUrl, API_TOKEN);
    h = await enrolHousehold(cloud);
    const pty = await ptysFor(h);
    stops.push(() => pty.stop());
    startGateway = async () => {
      const p = await startGatewayProcess({
        ...h,
        cloudUrl: cloud.mqttUrl,
        wristbandPath: h.rx,
        extraConfig: {
          nodeRed: { enabled: false },
          cloud: {
            url: cloud.mqttUrl,
            secret: h.secret,
            reconnectMinMs: 100,
            reconnectMaxMs: 1000,
            heartbeatIntervalS: INTERVAL_S,
          },
        },
      });
      stops.push(() => p.stop());
      return p;
    };
    gw = await startGateway();
    await waitFor(heartbeatAt, 20_000, 'first heartbeat');
  }, 120_000);

  it('kill -9 the agent: one gateway_silent case within interval + 60 s, to the duty desk only', async () => {
    await gw!.kill9();
    const killedAt = Date.now();
    const [c] = await waitFor(
      async () => {
        const open = (await silentCases()).filter((x) => x.status === 'open' && x.level !== null);
        return open.length > 0 && open;
      },
      (INTERVAL_S + 60) * 1000,
      'a gateway_silent case',
    );
    const detectS = (Date.now() - killedAt) / 1000;
    console.log(
      `supervision kill-9: detected after ${detectS.toFixed(1)} s (interval ${INTERVAL_S} s + grace ${GRACE_S} s)`,
    );
    expect(detectS).toBeLessThanOrEqual(INTERVAL_S + 60);
    const full = await api.get(`/cases/${c!.id}`);
    const ev = full.body.events[0];
    expect(ev.evidence).toMatchObject({ fault: 'gateway_silent', device: h.gatewayId, faultState: 'raised' });
    expect(full.body.timeline.map((t: { type: string }) => t.type)).toContain('routed');
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000)); // still silent: no second case
    expect((await silentCases()).length).toBe(1);
    const texts = await api.get(`/notifications?caseId=${c!.id}`);
    const roles = (texts.body.items as { recipientRole: string }[]).map((n) => n.recipientRole);
    expect(roles).toContain('duty_desk');
    expect(roles).not.toContain('guardian');
  }, 120_000);

  it('starts the agent again: the case closes itself with a fault_cleared entry', async () => {
    gw = await startGateway();
    const closed = await waitFor(
      async () => {
        const all = await silentCases();
        return all.length === 1 && all[0]!.status === 'closed' && all[0];
      },
      30_000,
      'the gateway_silent case closed',
    );
    const full = await api.get(`/cases/${closed.id}`);
    expect(full.body.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['fault_cleared', 'closed']),
    );
  }, 120_000);

  it('a planned outage set by the desk: the agent stopped, no case', async () => {
    const until = new Date(Date.now() + 60_000).toISOString();
    const bad = await api.put(`/gateways/${h.gatewayId}/maintenance`, { until: '2000-01-01T00:00:00Z' });
    expect([bad.status, bad.body.code]).toEqual([400, 'CLOUD_MAINTENANCE_INVALID']);
    const set = await api.put(`/gateways/${h.gatewayId}/maintenance`, { until, reason: 'router replaced' });
    expect(set.status).toBe(200);
    await gw!.kill9();
    await new Promise((r) => setTimeout(r, (INTERVAL_S + GRACE_S + 6) * 1000));
    expect((await silentCases()).filter((c) => c.status !== 'closed')).toEqual([]);
    gw = await startGateway();
    await waitFor(async () => (await heartbeatAt()) !== null, 20_000);
    expect((await api.delete(`/gateways/${h.gatewayId}/maintenance`)).status).toBe(200);
  }, 120_000);

  it('the cloud killed for longer than interval + grace and started again: no case', async () => {
    const before = (await silentCases()).length;
    await cloud.kill9();
    await new Promise((r) => setTimeout(r, (INTERVAL_S + GRACE_S + 4) * 1000));
    cloud = await startCloud();
    api = apiClient(cloud.httpUrl, API_TOKEN);
    // The agent reconnects on its own; wait two intervals past the grace the restart gave it.
    await new Promise((r) => setTimeout(r, (2 * INTERVAL_S + GRACE_S + 2) * 1000));
    expect((await silentCases()).length).toBe(before);
    expect(cloud.lines.some((l) => l.msg?.startsWith('supervision resumes after an outage'))).toBe(true);
  }, 120_000);
});
