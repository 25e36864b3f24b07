/**
 * Hostile MQTT payloads on the distributed path: a real Mosquitto (password file, ACL and limits written
 * by `anju-cloud mosquitto-config`) in front of an `anju-cloud serve` process in external mode on
 * PostgreSQL. Seeded mutations of valid events, heartbeats and daily summaries (mutate.ts, the same as
 * the embedded-broker suite) go through Mosquitto's shared subscription to the cloud's consumer, while a
 * neighbour gateway keeps sending real alarms. Oversize inputs are refused by Mosquitto (DISCONNECT 0x95)
 * and never reach the cloud; every other input is consumed and accounted for (stored, duplicate,
 * rejected with a counted reason, or shed), the cloud process stays up, and every good event is stored
 * with its case. ANJU_FUZZ_EXT_N sets the count per topic (default 300).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRemainingLength } from '../../cloud/src/mqtt/packet-size-guard.ts';
import { MAX_PAYLOAD_BYTES, topics } from '../../contracts/src/index.ts';
import { alertEvent, readMetric, waitFor } from '../cloud/cloud-fixture.ts';
import {
  FLEET_DB_URL,
  FLEET_SKIP,
  type Fleet,
  type FleetHome,
  startFleet,
} from '../distributed/fleet-fixture.ts';
import { fuzzTopics, rejectReasons, remainingLength, sumMetric, within } from './mqtt-fuzz.ts';
import { hostilePayloads } from './mutate.ts';

const adminUrl = FLEET_DB_URL;
const skip = FLEET_SKIP;
const N = Number(process.env.ANJU_FUZZ_EXT_N ?? 300);
const GOOD_EVERY = 25;
const PACKET_TOO_LARGE = 0x95;

describe.skipIf(skip !== '')(
  `fuzzing MQTT payloads through Mosquitto to an external-mode cloud ${skip}`,
  () => {
    let fleet: Fleet;
    let fuzzer: FleetHome;
    let neighbour: FleetHome;
    /** Sends the oversize inputs: a second link of the fuzzer would take its client id (the user's). */
    let oversizer: FleetHome;
    let neighbourLink: MqttClient;

    beforeAll(async () => {
      // The fuzzer is one very busy gateway: lift its rate (the rate is tested in tests/distributed).
      fleet = await startFleet(adminUrl!, {
        limits: { gatewayMessagesPerS: 100_000, gatewayBurst: 100_000 },
      });
      await fleet.startCloud('a');
      [fuzzer, neighbour, oversizer] = (await fleet.enrol(3, 'gw-fz')) as [FleetHome, FleetHome, FleetHome];
      neighbourLink = await fleet.connect(neighbour);
    }, 120_000);

    afterAll(async () => {
      await fleet?.close();
    }, 60_000);

    const cloud = () => fleet.clouds.get('a')!;
    const metrics = async () => (await fetch(`${cloud().httpUrl}/metrics`)).text();
    const storedWithCase = async (ids: readonly string[]) =>
      (
        await fleet.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::text[]) AND case_id IS NOT NULL',
          [ids],
        )
      ).rows[0]!.n;

    for (const c of fuzzTopics(() => fuzzer)) {
      it(`${c.topic}: ${N} mutated inputs through Mosquitto, each accounted for by reason; the good events around them all stored`, async () => {
        const before = await metrics();
        const link = await fleet.connect(fuzzer, { clientId: `fuzz-${c.topic}`, clean: true });
        let closed = false;
        link.on('close', () => {
          closed = true;
        });
        const topic = topics[c.topic](fuzzer.gatewayId);
        const good: string[] = [];
        const neighbourGood: string[] = [];
        let sent = 0;
        let oversize = 0;
        const window: Promise<unknown>[] = [];
        for (const payload of hostilePayloads(c.seed, N, c.valid)) {
          if (remainingLength(topic, payload, true) > maxRemainingLength(MAX_PAYLOAD_BYTES)) {
            // Past max_packet_size: Mosquitto says DISCONNECT 0x95 and closes, before the body is read.
            // Sent by another gateway on its own topic of the same length, so the packet is as large.
            oversize++;
            const other = await fleet.connect(oversizer, { clean: true, reconnectPeriod: 0 });
            const reason = new Promise<number | undefined>((r) =>
              other.once('disconnect', (p) => r(p.reasonCode)),
            );
            other.publish(topics[c.topic](oversizer.gatewayId), payload, { qos: 1 }, () => {});
            expect(
              await within(reason, `DISCONNECT after an oversize ${payload.byteLength}-byte payload`),
            ).toBe(PACKET_TOO_LARGE);
            await other.endAsync(true);
            continue;
          }
          // QoS 1, a window in flight as a pipelining client would send them; Mosquitto answers each.
          window.push(within(link.publishAsync(topic, payload, { qos: 1 }), `PUBACK for input #${sent}`));
          if (window.length >= 32) await Promise.all(window.splice(0));
          if (++sent % GOOD_EVERY === 0) {
            const mine = alertEvent(fuzzer, { kind: 'sos', severity: 'critical' });
            const theirs = alertEvent(neighbour, { kind: 'fall' });
            good.push(mine.id);
            neighbourGood.push(theirs.id);
            await within(
              Promise.all([
                link.publishAsync(topics.events(fuzzer.gatewayId), JSON.stringify(mine), { qos: 1 }),
                neighbourLink.publishAsync(topics.events(neighbour.gatewayId), JSON.stringify(theirs), {
                  qos: 1,
                }),
              ]),
              'PUBACK for a good event',
            );
          }
        }
        await Promise.all(window);
        expect(closed).toBe(false);

        // Mosquitto has everything; wait until the cloud has consumed every input.
        const tally = async () => {
          const now = await metrics();
          const delta = (name: string, labels: Record<string, string> = {}) =>
            readMetric(now, name, labels) - readMetric(before, name, labels);
          const storedEvents =
            sumMetric(now, 'anju_events_ingested_total') - sumMetric(before, 'anju_events_ingested_total');
          const accepted =
            c.topic === 'events'
              ? storedEvents - good.length - neighbourGood.length + delta('anju_events_duplicate_total')
              : c.topic === 'health'
                ? delta('anju_heartbeats_total')
                : delta('anju_daily_summaries_total');
          return {
            now,
            accepted,
            rejected:
              sumMetric(now, 'anju_ingest_rejected_total') - sumMetric(before, 'anju_ingest_rejected_total'),
            shed:
              delta('anju_mqtt_rate_limited_total', { topic: c.topic, outcome: 'shed' }) +
              delta('anju_telemetry_messages_shed_total', { topic: c.topic }),
            errors: delta('anju_ingest_errors_total', { topic: c.topic }),
          };
        };
        const t = await waitFor(
          async () => {
            const x = await tally();
            return x.accepted + x.rejected + x.shed >= sent ? x : undefined;
          },
          60_000,
          `all ${sent} ${c.topic} inputs consumed`,
        ).catch(async (err: Error) => {
          const { now: _, ...x } = await tally();
          throw new Error(`${err.message}: ${JSON.stringify({ sent, ...x })}`);
        });
        await waitFor(
          async () =>
            (await storedWithCase([...good, ...neighbourGood])) === good.length + neighbourGood.length,
          30_000,
          'every good event stored with its case',
        );
        console.log(
          `fuzz mqtt external ${c.topic}: sent=${sent} oversize_refused_by_mosquitto=${oversize} accepted=${t.accepted} ` +
            `rejected=${t.rejected} shed=${t.shed} good=${good.length}+${neighbourGood.length} (neighbour) ` +
            `reasons(cumulative): ${rejectReasons(t.now).join(' ')}`,
        );
        expect(t.accepted + t.rejected + t.shed).toBe(sent); // none lost, none doubled
        expect(t.rejected).toBeGreaterThan(sent * 0.8);
        expect(t.errors).toBe(0); // no input broke the database path
        expect(cloud().child.exitCode).toBeNull();
        expect((await fetch(`${cloud().httpUrl}/health`)).status).toBe(200);
        await link.endAsync(true);
      }, 180_000);
    }
  },
);
