/**
 * The real gateway forwarder (edge/src/forwarder) in distributed mode, with client ids bound to users
 * (`use_username_as_clientid`): it asks for client id `gw-<id>` and Mosquitto gives it `<id>`, its user
 * name. Its events still reach the cloud, and a command the cloud sends (a model update, from the cloud's
 * consumer session, itself a broker user) reaches it and its result comes back; over MQTT 3.1.1 and 5.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundleFolder } from '../../cloud/src/models/model-bundle.ts';
import type { Command } from '../../contracts/src/index.ts';
import { systemClock } from '../../edge/src/clock.ts';
import { MqttForwarder } from '../../edge/src/forwarder/mqtt-forwarder.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { FileOutbox } from '../../edge/src/outbox/file-outbox.store.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { withVersion } from '../../tools/models/bundle-variants.ts';
import { alertEvent } from '../cloud/cloud-fixture.ts';
import { FLEET_DB_URL, FLEET_SKIP, type Fleet, type FleetHome, startFleet } from './fleet-fixture.ts';

const adminUrl = FLEET_DB_URL;
const skip = FLEET_SKIP;

describe.skipIf(skip !== '')(`distributed mode: the real gateway forwarder ${skip}`, () => {
  let fleet: Fleet;
  let homes: FleetHome[];
  const forwarders: MqttForwarder[] = [];
  beforeAll(async () => {
    fleet = await startFleet(adminUrl!, { consumers: 1 });
    await fleet.startCloud('a');
    homes = await fleet.enrol(2, 'gw-fw');
    const dir = withVersion(mkdtempSync(join(tmpdir(), 'anju-fwd-model-')), '2.0.1');
    const files = Object.fromEntries([...readBundleFolder(dir)].map(([n, b]) => [n, b.toString('base64')]));
    const uploaded = await fleet.api().post('/models', { files });
    if (uploaded.status !== 201) throw new Error(`model upload: ${uploaded.status}`);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(forwarders.map((f) => f.stop()));
    await fleet?.close();
  }, 60_000);

  it.each([
    [4, 0],
    [5, 1],
  ] as const)(
    'MQTT %i: delivers its events and gets the cloud’s command, under its user name as client id',
    async (mqttVersion, i) => {
      const home = homes[i]!;
      const commands: Command[] = [];
      const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'anju-fwd-dist-')), silentLogger);
      const forwarder = new MqttForwarder({
        url: fleet.broker.url,
        mqttVersion,
        gatewayId: home.gatewayId,
        secret: home.secret,
        reconnectMinMs: 200,
        reconnectMaxMs: 1_000,
        store: outbox,
        log: silentLogger,
        clock: systemClock,
        onCommand: (cmd) => commands.push(cmd),
      });
      forwarder.start();
      forwarders.push(forwarder);
      const ev = alertEvent(home, { kind: 'sos' });
      await outbox.append(ev);
      // Stored means PUBACKed, so the command subscription sent before it on that link is in place too.
      await waitFor(
        async () => (await fleet.db.query('SELECT 1 FROM events WHERE id = $1', [ev.id])).rowCount === 1,
        20_000,
        'the forwarded event stored',
      );
      expect(fleet.broker.log.some((l) => l.includes(`as ${home.gatewayId} (`))).toBe(true);
      expect(fleet.broker.log.some((l) => l.includes(`as gw-${home.gatewayId} (`))).toBe(false);

      const api = fleet.api();
      const deployed = await api.post('/models/fall-model/2.0.1/deploy', { gatewayId: home.gatewayId });
      expect(deployed.status).toBe(202);
      await waitFor(() => commands.length === 1, 20_000, 'the command at the gateway');
      const cmd = commands[0]!;
      expect(cmd.type).toBe('model_update');
      forwarder.publishCommandResult({
        schema: 1,
        gatewayId: home.gatewayId,
        commandId: cmd.id,
        type: 'model_update',
        outcome: 'rolled_back',
        reason: 'self_test_failed',
        detail: 'a test result',
        model: { name: 'fall-model', version: '2.0.1' },
        activeVersion: '2.0.0',
        finishedAt: new Date().toISOString(),
        durationMs: 5,
      });
      const row = await waitFor(
        async () => {
          const [r] = (await api.get(`/model-updates?commandId=${cmd.id}`)).body.items;
          return r?.status === 'rolled_back' ? r : undefined;
        },
        20_000,
        'the result recorded by the cloud',
      );
      console.log(
        `forwarder in distributed mode, MQTT ${forwarder.stats.mqttVersion}: event stored, connected as ${home.gatewayId} (asked gw-${home.gatewayId}), ` +
          `command ${cmd.type} received, result ${row.status} recorded; link connects=${forwarder.stats.connects}`,
      );
      expect(forwarder.stats.connects).toBe(1);
      expect(forwarder.stats.mqttVersion).toBe(mqttVersion);
    },
    90_000,
  );
});
