import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundleFolder } from '../../cloud/src/models/model-bundle.ts';
import { type CommandResult, parseCommand, sha256Hex, topics } from '../../contracts/src/index.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { withVersion } from '../../tools/models/bundle-variants.ts';
import { backends, startTestCloud, type TestCloud } from './cloud-fixture.ts';

const TOKEN = 'models-test-token-0123';
const upload = (dir: string) => ({
  files: Object.fromEntries([...readBundleFolder(dir)].map(([n, b]) => [n, b.toString('base64')])),
});

/** A gateway's MQTT session that collects the commands it is sent. */
async function listen(t: TestCloud, gatewayId: string, secret: string) {
  const client = await t.connectGateway(gatewayId, secret);
  const commands: any[] = [];
  client.on('message', (_topic, payload) => commands.push(JSON.parse(payload.toString())));
  await client.subscribeAsync(topics.command(gatewayId), { qos: 1 });
  return { client, commands };
}

describe.each(backends)('model bundles in the cloud (%s)', (backend) => {
  let t: TestCloud;
  const dir = withVersion(mkdtempSync(join(tmpdir(), 'anju-cloud-models-')), '2.0.1');
  beforeAll(async () => {
    t = await startTestCloud(backend, { apiToken: TOKEN });
  });
  afterAll(() => t.close());

  it('stores a bundle byte for byte; the same upload again is a no-op, other files under that version a 409', async () => {
    const first = await t.api('POST', '/models', upload(dir));
    expect(first.status).toBe(201);
    expect(first.body.model).toEqual({ name: 'fall-model', version: '2.0.1' });
    expect((await t.api('POST', '/models', upload(dir))).status).toBe(200);
    const other = upload(dir);
    other.files['self-test.json'] = Buffer.from('{"format":1,"cases":[]}').toString('base64');
    expect((await t.api('POST', '/models', other)).body.code).toBe('CLOUD_MODEL_VERSION_EXISTS');
    const listed = (await t.api('GET', '/models')).body.items;
    expect(listed.map((m: any) => m.model.version)).toEqual(['2.0.1']);

    // Served to a gateway it was sent to, exactly as uploaded (bytea round trip on this backend).
    const home = await t.enrol();
    const deployed = await t.api('POST', '/models/fall-model/2.0.1/deploy', { gatewayId: home.gatewayId });
    expect(deployed.status).toBe(202);
    const basic = {
      authorization: `Basic ${Buffer.from(`${home.gatewayId}:${home.secret}`).toString('base64')}`,
    };
    const res = await fetch(`${t.cloud.httpUrl}/gateway-models/fall-model/2.0.1/files/weights.bin`, {
      headers: basic,
    });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256Hex(bytes)).toBe(sha256Hex(readBundleFolder(dir).get('weights.bin')!));
  });

  it('sends one command per gateway of a station, and again (same id) to a gateway that was away', async () => {
    await t.api('POST', '/stations', {
      id: `st-${backend}`,
      name: 'Jing an',
      supervisor: { name: 'Wu', phone: '+8613700000000', language: 'zh-CN' },
    });
    const a = await t.enrol();
    const b = await t.enrol();
    for (const h of [a, b])
      await t.api('PATCH', `/residents/${h.residentId}`, { stationId: `st-${backend}` });
    const online = await listen(t, a.gatewayId, a.secret);
    const r = await t.api('POST', '/models/fall-model/2.0.1/deploy', { stationId: `st-${backend}` });
    expect(r.status).toBe(202);
    expect(r.body.items.map((i: any) => i.gatewayId).sort()).toEqual([a.gatewayId, b.gatewayId].sort());
    await waitFor(() => online.commands.length === 1, 5_000, 'command to the connected gateway');
    const cmd = parseCommand(JSON.stringify(online.commands[0]));
    expect(cmd.ok && cmd.value.type === 'model_update' && cmd.value.bundleUrl).toMatch(
      /\/gateway-models\/fall-model\/2\.0\.1$/,
    );

    // b was offline: it gets the same command when it subscribes.
    const late = await listen(t, b.gatewayId, b.secret);
    await waitFor(() => late.commands.length === 1, 5_000, 'command resent on subscribe');
    const sentToB = r.body.items.find((i: any) => i.gatewayId === b.gatewayId).commandId;
    expect(late.commands[0].id).toBe(sentToB);

    // b answers; the result is on the command, on b's record and in the metrics. A result for a command
    // b was never sent is rejected.
    const result: CommandResult = {
      schema: 1,
      gatewayId: b.gatewayId,
      commandId: sentToB,
      type: 'model_update',
      outcome: 'rolled_back',
      reason: 'self_test_failed',
      detail: 'x: expected fall, got no_fall (0.1)',
      model: { name: 'fall-model', version: '2.0.1' },
      activeVersion: '2.0.0',
      finishedAt: new Date().toISOString(),
      durationMs: 850,
    };
    await publish(late.client, b.gatewayId, result);
    await publish(late.client, b.gatewayId, { ...result, commandId: online.commands[0].id });
    const [row] = (await t.api('GET', `/model-updates?commandId=${sentToB}`)).body.items;
    expect(row).toMatchObject({
      status: 'rolled_back',
      reason: 'self_test_failed',
      activeVersion: '2.0.0',
      durationMs: 850,
    });
    expect((await t.api('GET', `/gateways/${b.gatewayId}`)).body.lastModelUpdate).toMatchObject({
      outcome: 'rolled_back',
    });
    expect(
      await t.metric('anju_model_update_results_total', {
        outcome: 'rolled_back',
        reason: 'self_test_failed',
      }),
    ).toBe(1);
    expect(await t.metric('anju_ingest_rejected_total', { reason: 'unknown_command' })).toBe(1);
    const [other] = (await t.api('GET', `/model-updates?commandId=${online.commands[0].id}`)).body.items;
    expect(other.status).toBe('sent');
  });
});

async function publish(client: MqttClient, gatewayId: string, result: CommandResult) {
  await client.publishAsync(topics.commandResult(gatewayId), JSON.stringify(result), { qos: 1 });
}
