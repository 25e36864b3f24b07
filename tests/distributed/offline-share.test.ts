/**
 * What Mosquitto 2.0 does with a shared subscription's share when a member session is offline — measured
 * here on the real broker, so a Mosquitto that behaves differently fails this file rather than the
 * README silently going stale — and what the cloud does about it:
 *  - an offline session that never expires (the cloud's) keeps its round-robin share: queued for it,
 *    delivered when a client with its id returns, nothing lost, but delayed until then;
 *  - MQTT 5 session expiry is no cure: when the session expires, its queued share is discarded (lost);
 *  - UNSUBSCRIBE before going stops the routing: the other members get everything. A cloud process
 *    stopped with SIGTERM does that (external-broker.ts, leaveGroup), so the others take its share.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertEvent, topics } from '../../contracts/src/index.ts';
import { hasMosquitto, startMosquitto, type TestMosquitto } from '../../tools/harness/mosquitto.ts';
import { alertEvent } from '../cloud/cloud-fixture.ts';
import { closeCases, FLEET_DB_URL, FLEET_SKIP, settledCounts, startFleet } from './fleet-fixture.ts';

const adminUrl = FLEET_DB_URL;
const noBroker = hasMosquitto ? '' : 'skipped: mosquitto is not installed';
const noFleet = FLEET_SKIP;
const NEVER = 0xffff_ffff;
const MESSAGES = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(noBroker !== '')(
  `Mosquitto: a shared subscription member that goes offline ${noBroker}`,
  () => {
    let broker: TestMosquitto;
    let dir: string;
    const cleanups: MqttClient[] = [];
    afterAll(async () => {
      await Promise.allSettled(cleanups.map((c) => c.endAsync(true)));
      await broker?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function start() {
      if (broker) return broker;
      dir = mkdtempSync(join(tmpdir(), 'anju-share-'));
      writeFileSync(join(dir, 'anon.conf'), 'allow_anonymous true\n');
      // Anonymous members have no user name to bind their client ids to.
      broker = await startMosquitto({ authConfFile: join(dir, 'anon.conf'), bindClientIds: false });
      return broker;
    }

    /** A member of `$share/<group>/m/#` (persistent session) collecting what it is given. */
    async function member(clientId: string, group: string, sessionExpiryInterval: number) {
      const got: string[] = [];
      const c = mqtt.connect(broker.url, {
        protocolVersion: 5,
        clientId,
        clean: false,
        reconnectPeriod: 0,
        properties: { sessionExpiryInterval },
      });
      // Listening before the CONNACK: a returning session's queue follows it at once.
      c.on('message', (_t, m) => got.push(String(m)));
      await new Promise<void>((resolve, reject) => {
        c.once('connect', () => resolve());
        c.once('error', reject);
      });
      await c.subscribeAsync(`$share/${group}/m/#`, { qos: 1 });
      cleanups.push(c);
      return { c, got };
    }

    /** B goes (`how`), MESSAGES are published, then B's client id comes back: who got what. */
    async function measure(group: string, how: 'kill' | 'unsubscribe', bExpiry: number, awayMs: number) {
      await start();
      const a = await member(`${group}-a`, group, NEVER);
      const b = await member(`${group}-b`, group, bExpiry);
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
      cleanups.push(pub);
      if (how === 'kill')
        b.c.stream.destroy(); // like kill -9: no DISCONNECT
      else {
        await b.c.unsubscribeAsync(`$share/${group}/m/#`);
        await b.c.endAsync();
      }
      await sleep(300);
      for (let i = 0; i < MESSAGES; i++) await pub.publishAsync('m/x', `m${i}`, { qos: 1 });
      await sleep(awayMs);
      const toA = a.got.length;
      const back = await member(`${group}-b`, group, bExpiry);
      // Mosquitto hands a returning session its queue a window at a time: wait for all of it, or 5 s.
      const until = Date.now() + 5_000;
      while (toA + back.got.length < MESSAGES && Date.now() < until) await sleep(50);
      await sleep(300); // and nothing more comes after that
      const r = { toA, toBOnReturn: back.got.length, lost: MESSAGES - toA - back.got.length };
      console.log(`offline share, ${group}: ${MESSAGES} published while B was away: ${JSON.stringify(r)}`);
      return r;
    }

    it('keeps routing a share to a killed never-expiring session, delivered when its client id returns', async () => {
      const r = await measure('killed', 'kill', NEVER, 1_500);
      expect(r.toA).toBeLessThan(MESSAGES * 0.75); // round robin: about half waits for B
      expect(r.toBOnReturn).toBe(MESSAGES - r.toA);
      expect(r.lost).toBe(0);
    }, 30_000);

    it('discards the queued share when the session expires: expiry turns the delay into loss', async () => {
      const r = await measure('expired', 'kill', 2, 4_000);
      expect(r.toBOnReturn).toBe(0);
      expect(r.lost).toBeGreaterThan(MESSAGES * 0.25);
    }, 30_000);

    it('routes everything to the other members once a session has unsubscribed', async () => {
      const r = await measure('left', 'unsubscribe', NEVER, 1_500);
      expect(r).toEqual({ toA: MESSAGES, toBOnReturn: 0, lost: 0 });
    }, 30_000);
  },
);

describe.skipIf(noFleet !== '')(
  `the cloud: a process stopped for good leaves its share to the others ${noFleet}`,
  () => {
    it('stores every event sent after one of two cloud processes was stopped with SIGTERM and not restarted', async () => {
      const fleet = await startFleet(adminUrl!);
      try {
        await Promise.all([fleet.startCloud('a'), fleet.startCloud('b')]);
        const homes = await fleet.enrol(6, 'gw-s');
        const links = await Promise.all(homes.map((h) => fleet.connect(h)));
        await fleet.clouds.get('b')!.stop();
        const since = new Date();
        const ids: string[] = [];
        for (const kind of ['fall', 'sos', 'inactivity', 'vitals'] as const) {
          await Promise.all(
            homes.map((h, i) => {
              const ev: AlertEvent = alertEvent(h, { kind });
              ids.push(ev.id);
              return links[i]!.publishAsync(topics.events(h.gatewayId), JSON.stringify(ev), { qos: 1 });
            }),
          );
        }
        const residents = homes.map((h) => h.residentId);
        const counts = await settledCounts(fleet.db, ids, residents, since, 20_000);
        console.log(`one of two processes stopped (SIGTERM): ${JSON.stringify(counts)}`);
        expect(counts).toEqual({ sent: ids.length, delivered: ids.length, lost: 0, duplicateCases: 0 });
        await closeCases(fleet.db, residents);
      } finally {
        await fleet.close();
      }
    }, 120_000);
  },
);
