/**
 * Issue 7, distributed mode under hostile gateways: the limits of the cloud's `limits:` config hold
 * behind a real Mosquitto too. Mosquitto refuses an oversize packet itself (`max_packet_size`, written by
 * `anju-cloud mosquitto-config` from `limits.mqttMaxPayloadBytes`), and the cloud's consumer applies the
 * per-gateway rate: one gateway flooding through the shared subscription has its excess telemetry shed
 * (acknowledged, counted), its urgent events all stored, and every other gateway's events become cases.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, type EventKind, topics } from '../../contracts/src/index.ts';
import { alertEvent, heartbeat, readMetric, waitFor, waitForHeartbeatRows } from '../cloud/cloud-fixture.ts';
import { FLEET_DB_URL, FLEET_SKIP, type Fleet, type FleetHome, startFleet } from './fleet-fixture.ts';

const adminUrl = FLEET_DB_URL;
const skip = FLEET_SKIP;

const MAX_PAYLOAD = 4096;
const RATE = { gatewayMessagesPerS: 20, gatewayBurst: 40, gatewayMaxWaitMs: 1000 };
/** Messages the hostile gateway pipelines; every URGENT_EVERY-th an SOS, every HEARTBEAT_EVERY-th a heartbeat. */
const FLOOD = Number(process.env.ANJU_FLOOD_N ?? 3000);
const URGENT_EVERY = 50;
const HEARTBEAT_EVERY = 7;
const GOOD_HOMES = 6;
const GOOD_KINDS: readonly { kind: EventKind; severity: AlertEvent['severity'] }[] = [
  { kind: 'fall', severity: 'urgent' },
  { kind: 'sos', severity: 'critical' },
  { kind: 'vitals', severity: 'warning' }, // telemetry, but this gateway is within its rate
];
/** MQTT 5 DISCONNECT reason code [MQTT-3.14.2.1]. */
const PACKET_TOO_LARGE = 0x95;
/** Longest a good gateway's event may take from its publish to its case while the flood runs. */
const GOOD_EVENT_BOUND_MS = 20_000;

describe.skipIf(skip !== '')(`distributed mode: hostile gateways behind Mosquitto ${skip}`, () => {
  let fleet: Fleet;
  let hostile: FleetHome;
  let good: FleetHome[];

  beforeAll(async () => {
    fleet = await startFleet(adminUrl!, { limits: { mqttMaxPayloadBytes: MAX_PAYLOAD, ...RATE } });
    await fleet.startCloud('a');
    const homes = await fleet.enrol(GOOD_HOMES + 1, 'gw-h');
    hostile = homes[0]!;
    good = homes.slice(1);
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
  }, 60_000);

  const metrics = async () => (await fetch(`${fleet.clouds.get('a')!.httpUrl}/metrics`)).text();
  const stored = async (ids: readonly string[]) =>
    (
      await fleet.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::text[]) AND case_id IS NOT NULL',
        [ids],
      )
    ).rows[0]!.n;

  it('Mosquitto closes the connection on a packet above the configured limit; the next event, on a new connection, is stored', async () => {
    const topic = topics.events(hostile.gatewayId);
    /** A valid event of exactly `bytes` bytes: evidence strings (at most 200 characters each) fill it. */
    const pad = (bytes: number) => {
      const ev = alertEvent(hostile, { evidence: { peakG: 3.1 } });
      const left = () => bytes - Buffer.byteLength(JSON.stringify(ev));
      for (let i = 0; left() > 215; i++) ev.evidence[`f${i}`] = 'x'.repeat(200);
      // The last one: `,"<key>":"<value>"` takes 6 bytes around key and value.
      const room = left() - 6;
      const keyLength = Math.max(1, room - 200);
      ev.evidence['z'.repeat(keyLength)] = 'x'.repeat(room - keyLength);
      expect(Buffer.byteLength(JSON.stringify(ev))).toBe(bytes);
      return ev;
    };
    // Just under the limit: passes the broker (and the contract's 16 KiB), stored.
    const fits = pad(MAX_PAYLOAD);
    const link = await fleet.connect(hostile, { clientId: 'oversize-1', clean: true, reconnectPeriod: 0 });
    await link.publishAsync(topic, JSON.stringify(fits), { qos: 1 });
    // Past the limit plus the room for topic and headers (4096 + 512): still a valid event for the
    // contract, so only the broker's limit can stop it.
    const before = await metrics();
    const tooBig = pad(MAX_PAYLOAD + 600);
    const gone = new Promise<void>((r) => link.once('close', () => r()));
    let reasonCode: number | undefined;
    link.once('disconnect', (p) => {
      reasonCode = p.reasonCode;
    });
    link.publish(topic, JSON.stringify(tooBig), { qos: 1 }, () => {});
    await gone;
    const again = await fleet.connect(hostile, { clientId: 'oversize-2', clean: true, reconnectPeriod: 0 });
    const next = alertEvent(hostile, { kind: 'sos' });
    await again.publishAsync(topic, JSON.stringify(next), { qos: 1 });
    await waitFor(async () => (await stored([fits.id, next.id])) === 2, 15_000, 'both fitting events stored');
    const after = await metrics();
    expect(await stored([tooBig.id])).toBe(0);
    // The cloud never saw it: nothing rejected, nothing stored beyond the two.
    const seen = (t: string, n: string) =>
      t
        .split('\n')
        .filter((l) => l.startsWith(`${n}{`))
        .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    expect(seen(after, 'anju_ingest_rejected_total')).toBe(seen(before, 'anju_ingest_rejected_total'));
    console.log(
      `oversize: a ${Buffer.byteLength(JSON.stringify(tooBig))}-byte event (limit ${MAX_PAYLOAD} + 512 for topic and headers): ` +
        `Mosquitto sent DISCONNECT 0x${reasonCode?.toString(16)} and closed the connection; the cloud never saw it`,
    );
    expect(reasonCode).toBe(PACKET_TOO_LARGE);
    await again.endAsync(true);
  }, 60_000);

  it('records heartbeats sent at QoS 0, as a gateway agent sends them', async () => {
    const links = await Promise.all(good.map((h) => fleet.connect(h)));
    good.forEach((h, i) => {
      links[i]!.publish(topics.health(h.gatewayId), JSON.stringify(heartbeat(h.gatewayId)), { qos: 0 });
    });
    await waitForHeartbeatRows(
      fleet.db,
      good.map((h) => h.gatewayId),
      15_000,
    );
  }, 30_000);

  it("one gateway floods: its excess telemetry is shed and counted, its urgent events all stored, the others' events all become cases in bounded time", async () => {
    const before = await metrics();
    const flooder: MqttClient = await fleet.connect(hostile, { clientId: 'flooder', clean: true });
    const urgentIds: string[] = [];
    const telemetryIds: string[] = [];
    let heartbeats = 0;
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < FLOOD; i++) {
      if (i % HEARTBEAT_EVERY === 0) {
        heartbeats++;
        const hb = heartbeat(hostile.gatewayId);
        acks.push(flooder.publishAsync(topics.health(hostile.gatewayId), JSON.stringify(hb), { qos: 1 }));
        continue;
      }
      const urgent = i % URGENT_EVERY === 1;
      const ev = alertEvent(
        hostile,
        urgent ? { kind: 'sos', severity: 'critical' } : { kind: 'vitals', severity: 'warning' },
      );
      (urgent ? urgentIds : telemetryIds).push(ev.id);
      acks.push(flooder.publishAsync(topics.events(hostile.gatewayId), JSON.stringify(ev), { qos: 1 }));
    }
    // The good gateways send while the flood is in the broker's queue, a few events each.
    const sentAt = new Map<string, number>();
    const links = await Promise.all(good.map((h) => fleet.connect(h)));
    for (const { kind, severity } of GOOD_KINDS) {
      await Promise.all(
        good.map(async (h, n) => {
          const ev = alertEvent(h, { kind, severity });
          sentAt.set(ev.id, Date.now());
          await links[n]!.publishAsync(topics.events(h.gatewayId), JSON.stringify(ev), { qos: 1 });
        }),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(acks); // Mosquitto has the whole flood
    const goodIds = [...sentAt.keys()];
    await waitFor(async () => (await stored(goodIds)) === goodIds.length, 60_000, 'every good event stored');
    const latency = await fleet.db.query<{ id: string; received_ms: number }>(
      'SELECT id, (extract(epoch FROM received_at) * 1000)::float8 AS received_ms FROM events WHERE id = ANY($1::text[])',
      [goodIds],
    );
    const lags = latency.rows.map((r) => r.received_ms - sentAt.get(r.id)!).sort((a, b) => a - b);

    // Every hostile message consumed: stored, shed for its rate, or shed by the telemetry gate.
    const accounted = async () => {
      const now = await metrics();
      const delta = (name: string, labels: Record<string, string> = {}) =>
        readMetric(now, name, labels) - readMetric(before, name, labels);
      const storedTelemetry = (
        await fleet.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::text[])',
          [telemetryIds],
        )
      ).rows[0]!.n;
      const c = {
        eventsShed: delta('anju_mqtt_rate_limited_total', { topic: 'events', outcome: 'shed' }),
        eventsStored: storedTelemetry,
        heartbeatsShed:
          delta('anju_mqtt_rate_limited_total', { topic: 'health', outcome: 'shed' }) +
          delta('anju_telemetry_messages_shed_total', { topic: 'health' }),
        heartbeatsRecorded: delta('anju_heartbeats_total'),
      };
      return c.eventsShed + c.eventsStored === telemetryIds.length &&
        c.heartbeatsShed + c.heartbeatsRecorded === heartbeats
        ? c
        : undefined;
    };
    const counts = await waitFor(accounted, 90_000, 'every hostile message accounted for').catch(async () => {
      throw new Error(`hostile flood not accounted for: ${JSON.stringify(await accounted())}`);
    });
    const urgentStored = await fleet.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::text[])',
      [urgentIds],
    );
    console.log(
      `flood: hostile sent=${FLOOD} (urgent=${urgentIds.length} telemetry_events=${telemetryIds.length} heartbeats=${heartbeats}) ` +
        `urgent_stored=${urgentStored.rows[0]!.n} telemetry_stored=${counts.eventsStored} telemetry_shed=${counts.eventsShed} ` +
        `heartbeats_recorded=${counts.heartbeatsRecorded} heartbeats_shed=${counts.heartbeatsShed}; ` +
        `good events=${goodIds.length} stored=${latency.rows.length} publish→stored p50=${lags[Math.floor(lags.length / 2)]!.toFixed(0)} ms max=${lags.at(-1)!.toFixed(0)} ms`,
    );
    expect(urgentStored.rows[0]!.n).toBe(urgentIds.length);
    expect(counts.eventsShed).toBeGreaterThan(telemetryIds.length / 2);
    expect(latency.rows).toHaveLength(goodIds.length);
    expect(lags.at(-1)!).toBeLessThan(GOOD_EVENT_BOUND_MS);
    await flooder.endAsync(true);
  }, 180_000);
});
