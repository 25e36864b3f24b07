/**
 * Hostile MQTT payloads into the cloud's ingest, through the real broker (aedes over TCP, QoS 1) of an
 * in-process cloud on PGlite: thousands of seeded mutations of valid events, heartbeats and daily
 * summaries, with a good event after every few of them. Nothing may crash or drop the connection, every
 * message is accounted for (stored, duplicate or rejected with a counted reason), and every good event
 * around the bad ones is stored. ANJU_FUZZ_N sets the count per topic (default 700; 2100 inputs in all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRemainingLength } from '../../cloud/src/mqtt/packet-size-guard.ts';
import { MAX_PAYLOAD_BYTES, topics } from '../../contracts/src/index.ts';
import { alertEvent, type Home, readMetric, startTestCloud, type TestCloud } from '../cloud/cloud-fixture.ts';
import { fuzzTopics, rejectReasons, remainingLength, sumMetric, within } from './mqtt-fuzz.ts';
import { hostilePayloads } from './mutate.ts';

const N = Number(process.env.ANJU_FUZZ_N ?? 700);
const GOOD_EVERY = 25;

let t: TestCloud;
let home: Home;
beforeAll(async () => {
  // The fuzzer is one very busy gateway: lift its rate limit (tested on its own in limits.test.ts).
  t = await startTestCloud('pglite', {
    config: { limits: { gatewayMessagesPerS: 100_000, gatewayBurst: 100_000 } },
  });
  home = await t.enrol();
}, 60_000);
afterAll(() => t?.close());

const metrics = async () => (await t.api('GET', '/metrics')).text;

describe('fuzzing MQTT payloads into ingest', () => {
  const cases = fuzzTopics(() => home);

  for (const c of cases) {
    it(`${c.topic}: ${N} mutated inputs, each stored or rejected with a counted reason; the good events around them all stored`, async () => {
      const before = await metrics();
      const client = await t.connectGateway(home.gatewayId, home.secret);
      let closed = false;
      client.on('close', () => {
        closed = true;
      });
      const topic = topics[c.topic](home.gatewayId);
      const good: string[] = [];
      let sent = 0;
      let i = 0;
      let oversize = 0;
      const window: Promise<unknown>[] = [];
      for (const payload of hostilePayloads(c.seed, N, c.valid)) {
        if (remainingLength(topic, payload) > maxRemainingLength(MAX_PAYLOAD_BYTES)) {
          // Past the broker's packet limit: the connection is closed before the body is read (counted).
          oversize++;
          const other = await t.connectGateway(home.gatewayId, home.secret);
          const gone = new Promise<void>((r) => other.once('close', () => r()));
          other.publish(topic, payload, { qos: 1 }, () => {});
          await within(gone, `close after an oversize ${payload.byteLength}-byte payload`);
          continue;
        }
        // QoS 1 so each one is answered (PUBACK) — a withheld PUBACK or a dropped link fails `within`.
        // A window of publishes in flight, as a pipelining client would send them.
        window.push(within(client.publishAsync(topic, payload, { qos: 1 }), `PUBACK for input #${i}`));
        if (window.length >= 32) await Promise.all(window.splice(0));
        sent++;
        if (++i % GOOD_EVERY === 0) {
          const ev = alertEvent(home, { kind: 'sos', severity: 'critical' });
          await within(
            client.publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 }),
            'PUBACK for a good event',
          );
          good.push(ev.id);
        }
      }
      await Promise.all(window);
      expect(closed).toBe(false);
      const after = await metrics();
      const delta = (name: string, labels: Record<string, string> = {}) =>
        readMetric(after, name, labels) - readMetric(before, name, labels);
      const rejected =
        sumMetric(after, 'anju_ingest_rejected_total') - sumMetric(before, 'anju_ingest_rejected_total');
      const stored =
        sumMetric(after, 'anju_events_ingested_total') - sumMetric(before, 'anju_events_ingested_total');
      const accepted =
        c.topic === 'events'
          ? stored - good.length + delta('anju_events_duplicate_total')
          : c.topic === 'health'
            ? delta('anju_heartbeats_total')
            : delta('anju_daily_summaries_total');
      const reasons = rejectReasons(after);
      console.log(
        `fuzz mqtt ${c.topic}: sent=${sent} oversize_refused=${oversize} accepted=${accepted} rejected=${rejected} good=${good.length} reasons(cumulative): ${reasons.join(' ')}`,
      );
      expect(delta('anju_mqtt_refused_total', { reason: 'too_large' })).toBe(oversize);
      expect(accepted + rejected).toBe(sent); // every input accounted for: none silently lost or doubled
      expect(rejected).toBeGreaterThan(sent * 0.8);
      expect(delta('anju_ingest_errors_total', { topic: c.topic })).toBe(0); // no input broke the database path
      const rows = await t.db.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1)', [good]);
      expect(rows.rows.length).toBe(good.length);
      const health = await t.api('GET', '/health');
      expect(health.status).toBe(200);
    }, 180_000);
  }
});
