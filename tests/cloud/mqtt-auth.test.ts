import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, startTestCloud, type TestCloud, waitFor } from './cloud-fixture.ts';

const closedWithin = (c: MqttClient, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (!c.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    c.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe.each(backends)('gateway authentication and topic authorisation (%s)', (backend) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a wrong secret, an unknown gateway and a connect without credentials, and counts each', async () => {
    const home = await t.enrol();
    const before = {
      bad: await t.metric('anju_mqtt_auth_failures_total', { reason: 'bad_secret' }),
      unknown: await t.metric('anju_mqtt_auth_failures_total', { reason: 'unknown_gateway' }),
      none: await t.metric('anju_mqtt_auth_failures_total', { reason: 'no_credentials' }),
    };
    await expect(t.connectGateway(home.gatewayId, `${home.secret}x`)).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(t.connectGateway('gw-nobody', home.secret)).rejects.toThrow(/Bad username or password/i);
    await expect(t.connectGateway(home.gatewayId, '', { password: undefined })).rejects.toThrow(
      /Bad username or password/i,
    );
    expect(await t.metric('anju_mqtt_auth_failures_total', { reason: 'bad_secret' })).toBe(before.bad + 1);
    expect(await t.metric('anju_mqtt_auth_failures_total', { reason: 'unknown_gateway' })).toBe(
      before.unknown + 1,
    );
    expect(await t.metric('anju_mqtt_auth_failures_total', { reason: 'no_credentials' })).toBe(
      before.none + 1,
    );

    const ok = await t.connectGateway(home.gatewayId, home.secret);
    expect(ok.connected).toBe(true);
  });

  it('keeps only a salted PBKDF2 hash of the secret (Mosquitto format) and never logs it', async () => {
    const home = await t.enrol();
    const { rows } = await t.db.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM gateways WHERE id = $1',
      [home.gatewayId],
    );
    expect(rows[0]!.secret_hash).toMatch(/^\$7\$1000\$/);
    expect(rows[0]!.secret_hash).not.toContain(home.secret);
    await expect(t.connectGateway(home.gatewayId, 'wrong-secret')).rejects.toThrow();
    expect(t.logs.some((l) => l.includes('bad credentials'))).toBe(true);
    const all = t.logs.join('\n');
    expect(all).not.toContain(home.secret);
    expect(all).not.toContain('wrong-secret');
  });

  it("closes the connection of a gateway publishing to another gateway's topic, and ingests nothing", async () => {
    const mine = await t.enrol();
    const theirs = await t.enrol();
    const before = await t.metric('anju_mqtt_auth_failures_total', { reason: 'publish_denied' });
    const c = await t.connectGateway(mine.gatewayId, mine.secret);
    const closed = closedWithin(c, 5_000);
    void c
      .publishAsync(topics.events(theirs.gatewayId), JSON.stringify(alertEvent(theirs)), { qos: 1 })
      .catch(() => {});
    expect(await closed).toBe(true);
    expect(await t.metric('anju_mqtt_auth_failures_total', { reason: 'publish_denied' })).toBe(before + 1);
    expect((await t.api('GET', `/cases?residentId=${theirs.residentId}`)).body.items).toEqual([]);

    for (const topic of [
      topics.command(mine.gatewayId),
      'gw/x/y/z',
      '$SYS/anything',
      'home/wristband/accel',
    ]) {
      const again = await t.connectGateway(mine.gatewayId, mine.secret);
      const gone = closedWithin(again, 5_000);
      void again.publishAsync(topic, '{}', { qos: 1 }).catch(() => {});
      expect(await gone, topic).toBe(true);
    }
  });

  it('grants a subscription only to its own command topic, and delivers the ack command there', async () => {
    const mine = await t.enrol();
    const theirs = await t.enrol();
    const c = await t.connectGateway(mine.gatewayId, mine.secret);
    const denied = await t.metric('anju_mqtt_auth_failures_total', { reason: 'subscribe_denied' });
    const granted = await c.subscribeAsync(topics.command(mine.gatewayId), { qos: 1 });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([[topics.command(mine.gatewayId), 1]]);
    // A refused filter gets SUBACK 0x80 (mqtt.js turns that into an error); the session stays up.
    for (const filter of [topics.command(theirs.gatewayId), 'gw/#', topics.events(mine.gatewayId)]) {
      await expect(c.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/);
    }
    expect(await t.metric('anju_mqtt_auth_failures_total', { reason: 'subscribe_denied' })).toBe(denied + 3);
    expect(c.connected).toBe(true);

    const commands: any[] = [];
    c.on('message', (topic, payload) => commands.push({ topic, body: JSON.parse(payload.toString()) }));
    const ev = alertEvent(mine);
    await c.publishAsync(topics.events(mine.gatewayId), JSON.stringify(ev), { qos: 1 });
    const [kase] = (await t.api('GET', `/cases?residentId=${mine.residentId}`)).body.items;
    expect((await t.api('POST', `/cases/${kase.id}/ack`, { by: 'guardian' })).status).toBe(200);
    await waitFor(async () => commands.length > 0, 5_000, 'ack command');
    expect(commands[0]).toEqual({
      topic: topics.command(mine.gatewayId),
      body: expect.objectContaining({ schema: 1, type: 'ack', eventId: ev.id, caseId: kase.id }),
    });
  });
});
