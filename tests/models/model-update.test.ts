import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundleFolder } from '../../cloud/src/models/model-bundle.ts';
import { API_TOKEN, enrolHousehold, type Household, ptysFor } from '../../tools/harness/home.ts';
import { waitFor } from '../../tools/harness/net.ts';
import {
  apiClient,
  type CloudProc,
  type Proc,
  ROOT,
  replay,
  startCloudProcess,
  startGatewayProcess,
} from '../../tools/harness/processes.ts';
import { FALL_RECORDING } from '../../tools/harness/recordings.ts';
import { startTamperingProxy } from '../../tools/harness/tampering-http-proxy.ts';
import { withGarbageWeights, withTruncatedWeights, withVersion } from '../../tools/models/bundle-variants.ts';

// One cloud and one gateway, real processes; model bundles reach the gateway through a loopback HTTP proxy
// that can flip a byte of a file in flight (a man in the middle the gateway must catch).
describe('model updates from the cloud', () => {
  let cloud: CloudProc;
  let gw: Proc;
  let h: Household;
  let pty: { stop(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>;
  const tmp = mkdtempSync(join(tmpdir(), 'anju-models-'));
  const api = () => apiClient(cloud.httpUrl, API_TOKEN);

  beforeAll(async () => {
    proxy = await startTamperingProxy();
    cloud = await startCloudProcess({
      dataDir: join(tmp, 'cloud'),
      apiToken: API_TOKEN,
      env: { ANJU_MODEL_BUNDLE_BASE_URL: proxy.url },
    });
    proxy.target.url = cloud.httpUrl;
    h = await enrolHousehold(cloud);
    pty = await ptysFor(h);
    gw = await startGatewayProcess({ ...h, cloudUrl: cloud.mqttUrl, wristbandPath: h.rx });
    await waitFor(
      async () => activeModels().then((m) => m.includes('fall-model@3.2.0')),
      30_000,
      'first heartbeat',
    );
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await pty?.stop();
    expect(await cloud.stop()).toBe(0);
    await proxy.close();
  });

  /** Models in the gateway's last heartbeat, as the cloud recorded it. */
  async function activeModels(): Promise<string[]> {
    const g = (await api().get(`/gateways/${h.gatewayId}`)).body;
    return ((g.lastHeartbeat?.models ?? []) as { name: string; version: string }[]).map(
      (m) => `${m.name}@${m.version}`,
    );
  }

  async function publish(dir: string) {
    const files = Object.fromEntries([...readBundleFolder(dir)].map(([n, b]) => [n, b.toString('base64')]));
    const res = await api().post('/models', { files });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { model: { name: string; version: string }; bundleSha256: string };
  }

  /** Deploys to the gateway and waits for its result on the command's row. */
  async function deploy(version: string) {
    const res = await api().post(`/models/fall-model/${version}/deploy`, { gatewayId: h.gatewayId });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { commandId } = res.body.items[0];
    return waitFor(
      async () => {
        const [u] = (await api().get(`/model-updates?commandId=${commandId}`)).body.items;
        return u?.status !== 'sent' && u;
      },
      60_000,
      `result of ${commandId}`,
    );
  }

  const modelsDir = () => join(h.dir, 'data', 'models', 'fall-model');

  it('refuses a bundle whose weights do not match its hash: nothing swapped, the result reported', async () => {
    await publish(withVersion(mkdtempSync(join(tmp, 'v')), '2.0.3'));
    proxy.setTamper((path) => path.endsWith('/files/weights.bin'));
    const result = await deploy('2.0.3');
    proxy.setTamper(() => false);

    expect(proxy.tampered).toEqual(['/gateway-models/fall-model/2.0.3/files/weights.bin']);
    expect(result).toMatchObject({ status: 'refused', reason: 'file_hash_mismatch', activeVersion: '3.2.0' });
    expect(await activeModels()).toContain('fall-model@3.2.0');
    expect(gw.lines.find((l) => l.msg === 'model update refused')).toMatchObject({
      reason: 'file_hash_mismatch',
      counters: { refused: 1 },
    });
    // Nothing kept from it: no staging folder, no version folder, no active record.
    expect(existsSync(modelsDir()) ? readdirSync(modelsDir()) : []).toEqual([]);
    const metrics = await (await fetch(`${cloud.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /anju_model_update_results_total\{outcome="refused",reason="file_hash_mismatch"\} 1/,
    );
  }, 90_000);

  it('rolls back a corrupt model (hashes fine): garbage weights fail the self-test, cut ones fail to load', async () => {
    await publish(withGarbageWeights(mkdtempSync(join(tmp, 'v')), '2.0.2'));
    const result = await deploy('2.0.2');
    expect(result).toMatchObject({
      status: 'rolled_back',
      reason: 'self_test_failed',
      activeVersion: '3.2.0',
    });
    expect(result.detail).toMatch(/expected fall, got no score/);
    await publish(withTruncatedWeights(mkdtempSync(join(tmp, 'v')), '2.0.4'));
    const cut = await deploy('2.0.4');
    expect(cut).toMatchObject({ status: 'rolled_back', reason: 'load_failed', activeVersion: '3.2.0' });
    expect(await activeModels()).toContain('fall-model@3.2.0');
    expect(existsSync(modelsDir()) ? readdirSync(modelsDir()) : []).toEqual([]);
  }, 90_000);

  it('makes a good version live without a restart; a replayed fall is detected by it; a restart keeps it', async () => {
    const pid = gw.child.pid;
    // Published with the CLI, from a folder in the models/ format.
    const cli = execFileSync(
      process.execPath,
      [
        'bin/anju-cloud.js',
        'models',
        'publish',
        withVersion(mkdtempSync(join(tmp, 'v')), '2.0.1'),
        '--url',
        cloud.httpUrl,
      ],
      { cwd: ROOT, env: { ...process.env, ANJU_API_TOKEN: API_TOKEN } },
    ).toString();
    expect(cli).toMatch(/^fall-model 2\.0\.1 published: bundle sha256 [0-9a-f]{64} \(4 files\)/);
    const result = await deploy('2.0.1');
    expect(result).toMatchObject({ status: 'accepted', reason: 'swapped', activeVersion: '2.0.1' });
    await waitFor(async () => (await activeModels()).includes('fall-model@2.0.1'), 30_000, 'heartbeat 2.0.1');
    expect(gw.child.pid).toBe(pid);
    expect(gw.child.exitCode).toBeNull();
    expect(gw.count('gateway ready')).toBe(1);
    const g = (await api().get(`/gateways/${h.gatewayId}`)).body;
    expect(g.lastModelUpdate).toMatchObject({ outcome: 'accepted', activeVersion: '2.0.1' });
    expect(JSON.parse(readFileSync(join(modelsDir(), 'active.json'), 'utf8'))).toMatchObject({
      version: '2.0.1',
      previous: '3.2.0',
    });

    await replay(FALL_RECORDING, h.tx, { speed: 10 });
    const fallCase = await waitFor(
      async () => (await api().get(`/cases?residentId=${h.residentId}`)).body.items[0],
      30_000,
      'case from the replayed fall',
    );
    const detail = (await api().get(`/cases/${fallCase.id}`)).body;
    expect(detail.events[0].score.model).toEqual({ name: 'fall-model', version: '2.0.1' });

    // Restarted, the agent comes back with the version the cloud made active (checked again from disk).
    await gw.stop();
    const restartedAt = Date.now();
    gw = await startGatewayProcess({ ...h, cloudUrl: cloud.mqttUrl, wristbandPath: h.rx });
    // What the restarted agent runs, as its first heartbeat tells the cloud.
    const heartbeat = await waitFor(
      async () => {
        const hb = (
          await api()
            .get(`/gateways/${h.gatewayId}`)
            .catch(() => undefined)
        )?.body.lastHeartbeat;
        return hb && Date.parse(hb.sentAt) >= restartedAt && hb;
      },
      30_000,
      'a heartbeat from the restarted agent',
    );
    expect(heartbeat.models).toContainEqual({ name: 'fall-model', version: '2.0.1' });
    expect(gw.lines.find((l) => l.msg === 'fall scorer loaded')?.model).toEqual({
      name: 'fall-model',
      version: '2.0.1',
    });
  }, 150_000);

  it('serves bundle files only to a gateway with its own credentials that was sent that version', async () => {
    const path = '/gateway-models/fall-model/2.0.1'; // sent to h.gatewayId above
    const basic = (id: string, secret: string) => ({
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    });
    const get = async (p: string, headers: Record<string, string> = {}) =>
      (await fetch(`${cloud.httpUrl}${p}`, { headers })).status;
    expect(await get(path)).toBe(401);
    expect(await get(path, { authorization: `Bearer ${API_TOKEN}` })).toBe(401); // the admin token is not a gateway
    expect(await get(path, basic(h.gatewayId, 'wrong-secret-0000'))).toBe(401);
    expect(await get(`${path}/files/weights.bin`, basic(h.gatewayId, h.secret))).toBe(200);
    const other = await enrolHousehold(cloud);
    expect(await get(`${path}/files/weights.bin`, basic(other.gatewayId, other.secret))).toBe(403);
    await publish(withVersion(mkdtempSync(join(tmp, 'v')), '2.0.9'));
    expect(await get('/gateway-models/fall-model/2.0.9', basic(h.gatewayId, h.secret))).toBe(403);
    const metrics = await (await fetch(`${cloud.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/anju_model_bundle_requests_total\{outcome="bad_credentials"\} 3/);
    expect(metrics).toMatch(/anju_model_bundle_requests_total\{outcome="not_sent"\} 2/);
  });
});
