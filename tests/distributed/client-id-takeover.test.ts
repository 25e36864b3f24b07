/**
 * A KNOWN HOLE of distributed mode, measured so it is not forgotten (and so this file fails, asking for the
 * README to be updated, once it is closed): Mosquitto 2.0 does not tie a client id to a user name, so an
 * authenticated gateway may connect with the client id of a cloud consumer session (`<clientId>-<n>`) and
 * take that session over. The ACL still holds — the intruder reads nothing of other gateways — but what
 * the shared subscription routes to the session while the intruder holds it is not delivered to anyone:
 * other homes' events, acknowledged to their gateways by the broker, are lost. The cloud takes its
 * session back on its next reconnect (1 s), so one takeover costs about a second of its share.
 * The fix needs client ids bound to users (`use_username_as_clientid` with one broker user per consumer
 * session, or the dynamic-security plugin); see the README's distributed-mode section.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/src/index.ts';
import { hasMosquitto } from '../../tools/harness/mosquitto.ts';
import { alertEvent } from '../cloud/cloud-fixture.ts';
import { type Fleet, startFleet } from './fleet-fixture.ts';

const adminUrl = process.env.DATABASE_URL;
const skip = !adminUrl
  ? 'skipped: DATABASE_URL is unset (needs a PostgreSQL server)'
  : !hasMosquitto
    ? 'skipped: mosquitto is not installed'
    : '';
const EVENTS = 20;

describe.skipIf(skip !== '')(`distributed mode: a gateway using a cloud consumer's client id ${skip}`, () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(adminUrl!, { consumers: 1 });
    await fleet.startCloud('a');
  }, 120_000);
  afterAll(async () => {
    await fleet?.close();
  }, 60_000);

  it('KNOWN HOLE: the intruder reads nothing, but events routed to the taken session are lost', async () => {
    const [intruder, victim] = await fleet.enrol(2, 'gw-t');
    const seen: string[] = [];
    // The cloud process "a" consumes on session cloud-a-0 (fleet-fixture: ANJU_MQTT_CLIENT_ID=cloud-a).
    const thief = await fleet.connect(intruder!, { clientId: 'cloud-a-0', reconnectPeriod: 0 });
    thief.on('message', (topic) => seen.push(topic));
    const link = await fleet.connect(victim!);
    const ids: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const ev = alertEvent(victim!, { kind: i % 2 ? 'fall' : 'sos' });
      ids.push(ev.id);
      await link.publishAsync(topics.events(victim!.gatewayId), JSON.stringify(ev), { qos: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    // The cloud has its session back (it reconnects every second); give it time to consume everything.
    await new Promise((r) => setTimeout(r, 8_000));
    const stored = await fleet.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::text[])',
      [ids],
    );
    const lost = EVENTS - stored.rows[0]!.n;
    console.log(
      `client-id takeover: intruder received ${seen.length} messages; victim's events sent=${EVENTS} stored=${stored.rows[0]!.n} lost=${lost}`,
    );
    expect(seen).toEqual([]);
    expect(lost).toBeGreaterThan(0);
  }, 60_000);
});
