/**
 * Issue 7, distributed mode: two `anju-cloud serve` processes consume from one Mosquitto (per-gateway
 * auth and ACL generated from the gateways table) with a shared subscription, on one PostgreSQL database.
 * Each event is stored once with one case, both processes take a share, Mosquitto refuses a gateway that
 * publishes under another's id, and killing a cloud process with SIGKILL mid-stream loses nothing.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, type EventKind, topics } from '../../contracts/src/index.ts';
import { alertEvent, heartbeat, readMetric, waitFor, waitForHeartbeatRows } from '../cloud/cloud-fixture.ts';
import {
  closeCases,
  FLEET_DB_URL,
  FLEET_SKIP,
  type Fleet,
  type FleetHome,
  publishEvent,
  settledCounts,
  startFleet,
} from './fleet-fixture.ts';

const adminUrl = FLEET_DB_URL;
const skip = FLEET_SKIP;
const HOMES = 12;
const KINDS: readonly EventKind[] = ['fall', 'sos', 'inactivity', 'vitals'];
const KILL_ROUNDS = 3;
const RESTART_ROUNDS = 3;

describe.skipIf(skip !== '')(`distributed mode: two cloud processes behind Mosquitto ${skip}`, () => {
  let fleet: Fleet;
  let homes: FleetHome[];
  const links = new Map<string, MqttClient>();
  const residentIds = () => homes.map((h) => h.residentId);

  beforeAll(async () => {
    fleet = await startFleet(adminUrl!);
    await Promise.all([fleet.startCloud('a'), fleet.startCloud('b')]);
    homes = await fleet.enrol(HOMES, 'gw-d');
    for (const h of homes) links.set(h.gatewayId, await fleet.connect(h));
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
  }, 60_000);

  /** Sends one event per home and kind, `gapMs` apart (each for a resident and kind with no open case). */
  /** PUBACKs "no matching subscribers" the gateways got (and resent after). */
  let refused = 0;

  async function publishRound(gapMs: number, during?: (sent: number) => Promise<void>): Promise<string[]> {
    const ids: string[] = [];
    const acks: Promise<unknown>[] = [];
    let k = 0;
    for (const kind of KINDS) {
      for (const h of homes) {
        const ev: AlertEvent = alertEvent(h, { kind });
        ids.push(ev.id);
        // The gateway's client keeps the publish until the broker's PUBACK, across reconnects, and sends
        // it again when the broker had no subscriber for it.
        acks.push(
          publishEvent(links.get(h.gatewayId)!, topics.events(h.gatewayId), ev).then((n) => {
            refused += n;
          }),
        );
        k++;
        await during?.(k);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    }
    await Promise.all(acks);
    return ids;
  }

  async function consumed(name: string, outcome: string): Promise<number> {
    const c = fleet.clouds.get(name)!;
    const text = await (await fetch(`${c.httpUrl}/metrics`)).text();
    return readMetric(text, 'anju_mqtt_consumed_total', { outcome });
  }

  it('stores each event once with one case, and both processes take a share', async () => {
    const since = new Date();
    const acked0 = { a: await consumed('a', 'acked'), b: await consumed('b', 'acked') };
    for (const h of homes) {
      await links
        .get(h.gatewayId)!
        .publishAsync(topics.health(h.gatewayId), JSON.stringify(heartbeat(h.gatewayId)), {
          qos: 1,
        });
    }
    const ids = await publishRound(0);
    const counts = await settledCounts(fleet.db, ids, residentIds(), since, 30_000);
    const share = {
      a: (await consumed('a', 'acked')) - acked0.a,
      b: (await consumed('b', 'acked')) - acked0.b,
    };
    console.log(`distributed: sent=${counts.sent} delivered=${counts.delivered} lost=${counts.lost}`, share);
    expect(counts).toEqual({ sent: ids.length, delivered: ids.length, lost: 0, duplicateCases: 0 });
    expect(share.a + share.b).toBe(ids.length + HOMES); // events + heartbeats, each consumed once
    expect(share.a).toBeGreaterThan(0);
    expect(share.b).toBeGreaterThan(0);
    await waitForHeartbeatRows(
      fleet.db,
      homes.map((h) => h.gatewayId),
    ); // consumed is not yet written
    await closeCases(fleet.db, residentIds());
  }, 60_000);

  it("lets Mosquitto refuse a gateway that publishes under another's id, reads another's events, or a wrong secret", async () => {
    const [mine, theirs] = [homes[0]!, homes[1]!];
    const forged = alertEvent(theirs);
    // MQTT 5: the broker answers PUBACK 0x87 (not authorized) and drops the message.
    await expect(
      links
        .get(mine.gatewayId)!
        .publishAsync(topics.events(theirs.gatewayId), JSON.stringify(forged), { qos: 1 }),
    ).rejects.toThrow(/not authori[sz]ed/i);
    // Mosquitto 2.0 grants a wildcard subscription and applies the read ACL to each message delivered.
    // (On its own link: a second connection of the same user would take the first one's client id.)
    const snoop = links.get(mine.gatewayId)!;
    const seen: string[] = [];
    const record = (topic: string) => seen.push(topic);
    snoop.on('message', record);
    await snoop.subscribeAsync(['gw/+/events', 'gw/+/cmd'], { qos: 1 });
    const real = alertEvent(theirs, { kind: 'sos' });
    await links
      .get(theirs.gatewayId)!
      .publishAsync(topics.events(theirs.gatewayId), JSON.stringify(real), { qos: 1 });
    await expect(
      fleet.connect(
        { ...mine, secret: 'not-the-secret-0123456789abcdef' },
        { clientId: 'intruder', reconnectPeriod: 0 },
      ),
    ).rejects.toThrow(/not authori[sz]ed|bad user name or password/i);
    await waitFor(
      async () => (await fleet.db.query('SELECT 1 FROM events WHERE id = $1', [real.id])).rowCount === 1,
      10_000,
      'the real event stored',
    );
    expect(seen).toEqual([]);
    const stored = await fleet.db.query('SELECT 1 FROM events WHERE id = $1', [forged.id]);
    expect(stored.rowCount).toBe(0);
    await snoop.unsubscribeAsync(['gw/+/events', 'gw/+/cmd']);
    snoop.off('message', record);
    await closeCases(fleet.db, residentIds());
  }, 30_000);

  it('loses nothing and opens no duplicate case when a cloud process is killed -9 mid-stream', async () => {
    const totals = { sent: 0, delivered: 0, lost: 0, duplicateCases: 0, redelivered: 0 };
    for (let round = 1; round <= KILL_ROUNDS; round++) {
      const since = new Date();
      const victim = round % 2 === 1 ? 'b' : 'a';
      const third = Math.floor((HOMES * KINDS.length) / 3);
      let restarted: Promise<unknown> = Promise.resolve();
      // Kill the victim a third of the way through; a supervisor brings it back with the same client id
      // a third later, while the gateways keep sending.
      const ids = await publishRound(15, async (sent) => {
        if (sent === third) await fleet.clouds.get(victim)!.kill9();
        if (sent === 2 * third) restarted = fleet.startCloud(victim);
      });
      await restarted;
      const counts = await settledCounts(fleet.db, ids, residentIds(), since, 30_000);
      const redelivered = await consumed(victim, 'redelivered');
      console.log(
        `kill -9 round ${round} (cloud ${victim}): sent=${counts.sent} delivered=${counts.delivered} ` +
          `redelivered_to_restarted=${redelivered} lost=${counts.lost} duplicate_cases=${counts.duplicateCases}`,
      );
      totals.sent += counts.sent;
      totals.delivered += counts.delivered;
      totals.lost += counts.lost;
      totals.duplicateCases += counts.duplicateCases;
      totals.redelivered += redelivered;
      await closeCases(fleet.db, residentIds());
    }
    console.log(
      `kill -9 ${KILL_ROUNDS} rounds: sent=${totals.sent} delivered=${totals.delivered} redelivered=${totals.redelivered} lost=${totals.lost} duplicate_cases=${totals.duplicateCases}`,
    );
    expect(totals.lost).toBe(0);
    expect(totals.duplicateCases).toBe(0);
    expect(totals.delivered).toBe(totals.sent);
  }, 180_000);

  it('loses nothing and opens no duplicate case when the broker restarts mid-stream', async () => {
    const totals = { sent: 0, delivered: 0, lost: 0, duplicateCases: 0 };
    for (let round = 1; round <= RESTART_ROUNDS; round++) {
      const since = new Date();
      refused = 0;
      const half = Math.floor((HOMES * KINDS.length) / 2);
      // SIGTERM: Mosquitto writes its persistence (sessions, queued and in-flight messages) and exits;
      // gateways and cloud consumers reconnect to the same port when it is back.
      const ids = await publishRound(10, async (sent) => {
        if (sent === half) {
          await fleet.broker.stop();
          setTimeout(() => void fleet.broker.start(), 700);
        }
      });
      const counts = await settledCounts(fleet.db, ids, residentIds(), since, 30_000);
      console.log(
        `broker restart round ${round}: sent=${counts.sent} delivered=${counts.delivered} ` +
          `resent_after_no_subscribers=${refused} lost=${counts.lost} duplicate_cases=${counts.duplicateCases}`,
      );
      totals.sent += counts.sent;
      totals.delivered += counts.delivered;
      totals.lost += counts.lost;
      totals.duplicateCases += counts.duplicateCases;
      await closeCases(fleet.db, residentIds());
    }
    console.log(
      `broker restart ${RESTART_ROUNDS} rounds: sent=${totals.sent} delivered=${totals.delivered} lost=${totals.lost} duplicate_cases=${totals.duplicateCases}`,
    );
    expect(totals.lost).toBe(0);
    expect(totals.duplicateCases).toBe(0);
  }, 180_000);
});
