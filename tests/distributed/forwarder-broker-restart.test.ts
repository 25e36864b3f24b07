/**
 * Issue 7: the REAL gateway forwarder (MqttForwarder + FileOutbox, MQTT 5 chosen by `auto`) against
 * Mosquitto with two cloud processes consuming through a shared subscription, the broker restarted in
 * the middle of each burst. Mosquitto 2.0.11 does not restore shared subscriptions after a restart, so
 * until the cloud re-subscribes it answers PUBACK 0x10 and drops the event: the forwarder must keep it
 * and send it again. Nothing may be lost and no case opened twice; refusals must have happened.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, EventKind, Severity } from '../../contracts/src/index.ts';
import { systemClock } from '../../edge/src/clock.ts';
import { MqttForwarder } from '../../edge/src/forwarder/mqtt-forwarder.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { FileOutbox } from '../../edge/src/outbox/file-outbox.store.ts';
import { alertEvent, waitFor } from '../cloud/cloud-fixture.ts';
import {
  closeCases,
  FLEET_DB_URL,
  FLEET_SKIP,
  type Fleet,
  type FleetHome,
  settledCounts,
  startFleet,
} from './fleet-fixture.ts';

const adminUrl = FLEET_DB_URL;
const skip = FLEET_SKIP;
const GATEWAYS = 4;
const ROUNDS = Number(process.env.ANJU_FAULT_ROUNDS ?? 3);
/** Per gateway and round: telemetry with an alarm every sixth event. */
const EVENTS_PER_GATEWAY = 30;
const MIX: readonly { kind: EventKind; severity: Severity }[] = [
  { kind: 'vitals', severity: 'info' },
  { kind: 'inactivity', severity: 'warning' },
  { kind: 'vitals', severity: 'info' },
  { kind: 'device_health', severity: 'info' },
  { kind: 'vitals', severity: 'info' },
  { kind: 'sos', severity: 'critical' },
];

describe.skipIf(skip !== '')(`the gateway forwarder through a Mosquitto restart ${skip}`, () => {
  let fleet: Fleet;
  let homes: FleetHome[];
  const gateways: { home: FleetHome; outbox: FileOutbox; forwarder: MqttForwarder }[] = [];

  beforeAll(async () => {
    fleet = await startFleet(adminUrl!);
    await Promise.all([fleet.startCloud('a'), fleet.startCloud('b')]);
    homes = await fleet.enrol(GATEWAYS, 'gw-f');
    for (const home of homes) {
      const outbox = new FileOutbox(mkdtempSync(join(tmpdir(), 'anju-fwd-outbox-')), silentLogger);
      const forwarder = new MqttForwarder({
        url: fleet.broker.url,
        gatewayId: home.gatewayId,
        secret: home.secret,
        reconnectMinMs: 100,
        reconnectMaxMs: 1000,
        store: outbox,
        log: silentLogger,
        clock: systemClock,
      });
      forwarder.start();
      gateways.push({ home, outbox, forwarder });
    }
    await waitFor(async () => gateways.every((g) => g.forwarder.stats.connected), 20_000, 'gateways up');
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(gateways.map((g) => g.forwarder.stop()));
    await fleet?.close();
  }, 60_000);

  const duplicatesAbsorbed = () =>
    [...fleet.clouds.values()].reduce((n, c) => n + c.count('duplicate event acknowledged again'), 0);

  it(`loses nothing over ${ROUNDS} broker restarts mid-burst: PUBACK 0x10 kept and resent`, async () => {
    const totals = { sent: 0, delivered: 0, lost: 0, duplicateCases: 0, refused: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const since = new Date();
      const refusedBefore = gateways.reduce((n, g) => n + g.forwarder.stats.notDelivered, 0);
      const ids: string[] = [];
      let restarted: Promise<void> = Promise.resolve();
      for (let i = 0; i < EVENTS_PER_GATEWAY; i++) {
        for (const g of gateways) {
          const ev: AlertEvent = alertEvent(g.home, { ...MIX[i % MIX.length]!, evidence: { round, i } });
          await g.outbox.append(ev);
          ids.push(ev.id);
        }
        if (i === Math.floor(EVENTS_PER_GATEWAY / 3)) {
          // SIGTERM (Mosquitto saves its persistence), back after 700 ms while the gateways keep raising.
          await fleet.broker.stop();
          restarted = new Promise((r) => setTimeout(r, 700)).then(() => fleet.broker.start());
        }
        await new Promise((r) => setTimeout(r, 40));
      }
      await restarted;
      await waitFor(
        async () => gateways.every((g) => g.outbox.size() === 0) || undefined,
        60_000,
        `round ${round}: outboxes drained`,
      );
      const counts = await settledCounts(fleet.db, ids, residentIds(), since, 30_000);
      const refused = gateways.reduce((n, g) => n + g.forwarder.stats.notDelivered, 0) - refusedBefore;
      console.log(
        `forwarder broker-restart round ${round}: sent=${counts.sent} delivered=${counts.delivered} lost=${counts.lost} ` +
          `duplicate_cases=${counts.duplicateCases} puback_0x10_resent=${refused}`,
      );
      totals.sent += counts.sent;
      totals.delivered += counts.delivered;
      totals.lost += counts.lost;
      totals.duplicateCases += counts.duplicateCases;
      totals.refused += refused;
      await closeCases(fleet.db, residentIds());
    }
    const stored = await fleet.db.query<{ rows: number; ids: number }>(
      'SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids FROM events WHERE gateway_id = ANY($1::text[])',
      [homes.map((h) => h.gatewayId)],
    );
    const duplicated = stored.rows[0]!.rows - stored.rows[0]!.ids;
    const versions = new Set(gateways.map((g) => g.forwarder.stats.mqttVersion));
    console.log(
      `forwarder broker-restart ${ROUNDS} rounds: sent=${totals.sent} delivered=${totals.delivered} duplicated=${duplicated} ` +
        `lost=${totals.lost} duplicate_cases=${totals.duplicateCases} puback_0x10_resent=${totals.refused} ` +
        `resends_absorbed=${duplicatesAbsorbed()} mqtt=${[...versions].join(',')}`,
    );
    expect(versions).toEqual(new Set([5]));
    expect(totals.lost).toBe(0);
    expect(totals.delivered).toBe(totals.sent);
    expect(duplicated).toBe(0);
    expect(totals.duplicateCases).toBe(0);
    // The point of the test: the broker did drop events for want of a subscriber, and they were resent.
    expect(totals.refused).toBeGreaterThan(0);
  }, 300_000);

  const residentIds = () => homes.map((h) => h.residentId);
});
