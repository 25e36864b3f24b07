import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, databases, enrolHousehold, type Household, ptysFor } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import {
  apiClient,
  type CloudProc,
  type Proc,
  replay,
  startCloudProcess,
  startGatewayProcess,
} from '../../tools/harness/processes.ts';
import { FALL_RECORDING, QUIET_ADL_RECORDING } from '../../tools/harness/recordings.ts';

describe.each(databases)('a real fall travels from the wristband to the guardian — $name', (db) => {
  let cloud: CloudProc;
  let dropDb: () => Promise<void>;
  const stops: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const fresh = await db.fresh();
    dropDb = fresh.drop;
    cloud = await startCloudProcess({
      dataDir: mkdtempSync(join(tmpdir(), 'anju-cloud-')),
      databaseUrl: fresh.url,
      apiToken: API_TOKEN,
    });
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    expect(await cloud.stop()).toBe(0);
    await dropDb();
  });

  async function household(
    opts: { guardianLanguage?: 'zh-CN' | 'en'; confirmWindowMs?: number } = {},
  ): Promise<{ h: Household; gw: Proc }> {
    const h = await enrolHousehold(cloud, opts);
    const pty = await ptysFor(h);
    const gw = await startGatewayProcess({
      ...h,
      cloudUrl: cloud.mqttUrl,
      wristbandPath: h.rx,
      confirmWindowMs: opts.confirmWindowMs ?? 1000,
    });
    stops.push(
      () => pty.stop(),
      () => gw.stop(),
    );
    return { h, gw };
  }

  const api = () => apiClient(cloud.httpUrl, API_TOKEN);
  const casesOf = async (residentId: string) =>
    (await api().get(`/cases?residentId=${residentId}`)).body.items as any[];

  it('replays a recorded fall: one event delivered, one case with the resident and evidence, one guardian SMS', async () => {
    const { h, gw } = await household({ guardianLanguage: 'zh-CN' });
    await replay(FALL_RECORDING, h.tx, { speed: 10 });
    await gw.waitForLog('event delivered (PUBACK)', 30_000);
    const [c] = await waitFor(
      async () => {
        const cases = await casesOf(h.residentId);
        return cases.length > 0 && cases;
      },
      30_000,
      'case opened',
    );
    const detail = (await api().get(`/cases/${c.id}`)).body;
    expect(detail).toMatchObject({ residentId: h.residentId, kind: 'fall', status: 'open' });
    expect(detail.events).toHaveLength(1);
    expect(detail.events[0].evidence).toEqual(expect.objectContaining({ peakG: expect.any(Number) }));
    const sms = await waitFor(
      async () => {
        const n = (await api().get(`/notifications?caseId=${c.id}`)).body.items as any[];
        return n.length > 0 && n;
      },
      30_000,
      'guardian SMS',
    );
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({
      recipientPhone: h.guardianPhone,
      language: 'zh-CN',
      channel: 'sms-log',
      status: 'sent',
    });
    expect(sms[0].body).toMatch(/跌倒/);
    expect(gw.count('event raised (on disk)')).toBe(1);
  });

  it('replays a recorded daily activity: no case is opened (a fall on the same band then opens one)', async () => {
    const { h, gw } = await household();
    await replay(QUIET_ADL_RECORDING, h.tx, { speed: 10 });
    // The "nothing" is bounded by the confirm window (1 s): a held detection would be raised within it.
    await new Promise((r) => setTimeout(r, 2500));
    expect(gw.count('event raised (on disk)')).toBe(0);
    expect(await casesOf(h.residentId)).toEqual([]);
    // Proof the path was live: the same band, gateway and cloud open a case for a fall.
    await replay(FALL_RECORDING, h.tx, { speed: 10 });
    const cases = await waitFor(
      async () => {
        const c = await casesOf(h.residentId);
        return c.length > 0 && c;
      },
      30_000,
      'the control fall opening a case',
    );
    expect(cases).toMatchObject([{ kind: 'fall' }]);
  });

  it('a fall followed by "I\'m OK" inside the window opens no case; SOS opens one at once', async () => {
    const { h, gw } = await household({ confirmWindowMs: 30_000, guardianLanguage: 'en' });
    // The replay plays the band: it reads the gateway's downlink, shows the "I'm OK" prompt (vibrate + beep) sent
    // over the real serial line, acks it, and the elder presses "I'm OK" 2 s after feeling it.
    const band: string[] = [];
    await replay(FALL_RECORDING, h.tx, { speed: 1, okAfterPromptS: 2, output: band });
    await gw.waitForLog('"I\'m OK" pressed: alarm cancelled', 30_000);
    expect(band.filter((l) => l.startsWith('band: VIBRATE + BEEP for up to 30 s'))).toHaveLength(1);
    const prompts = () => gw.lines.filter((l) => l.msg === 'prompt sent to the band').map((l) => l.action);
    await waitFor(() => prompts().length === 2, 5_000, 'prompt start and stop on the serial line');
    expect(prompts()).toEqual(['start', 'stop']);
    expect(gw.count('band answered a downlink frame')).toBeGreaterThanOrEqual(1);
    expect(gw.count('event raised (on disk)')).toBe(0);
    // Cancelled false alarms that reached a guardian: none (no case, hence no notification, for this resident).
    expect(await casesOf(h.residentId)).toEqual([]);

    await replay(QUIET_ADL_RECORDING, h.tx, { speed: 20, sosAtS: 0.1 });
    const cases = await waitFor(
      async () => {
        const c = await casesOf(h.residentId);
        return c.length > 0 && c;
      },
      30_000,
      'SOS case',
    );
    expect(cases).toMatchObject([{ kind: 'sos' }]);
    // "At once": raised on the gateway in the same instant the button was read, not after the 30 s window.
    const sosPress = gw.lines.find((l) => l.msg === 'wristband button' && l.button === 'sos');
    const pressedAt = Number(sosPress?.time);
    const raisedAt = Number((await gw.waitForLog('event raised (on disk)')).time);
    expect(raisedAt - pressedAt).toBeGreaterThanOrEqual(0);
    expect(raisedAt - pressedAt).toBeLessThan(30_000);
    const [sos] = (await api().get(`/cases/${cases[0].id}`)).body.events as any[];
    expect(Date.parse(sos.detectedAt) - Date.parse(sos.occurredAt)).toBeLessThan(1_000);
    const sms = (await api().get(`/notifications?caseId=${cases[0].id}`)).body.items as any[];
    expect(sms[0]?.language).toBe('en');
  }, 180_000);
});
