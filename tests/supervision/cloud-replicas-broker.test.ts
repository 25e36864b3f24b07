/**
 * Issue 16, cloud half, in distributed mode on real servers: two `anju-cloud serve` processes behind our
 * own Mosquitto, on one PostgreSQL database; gateways as real MQTT 5 connections sending the real
 * heartbeat every 2 s (interval 3 s, grace 3 s). A gateway that goes silent gets exactly ONE
 * gateway_silent case although both replicas supervise it; a Mosquitto restart longer than interval +
 * grace gives no gateway a false alarm (a replica does not count time its broker link was down).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Heartbeat, topics } from '../../contracts/src/index.ts';
import { waitFor } from '../../tools/harness/net.ts';
import {
  FLEET_DB_URL,
  FLEET_SKIP,
  type Fleet,
  type FleetHome,
  startFleet,
} from '../distributed/fleet-fixture.ts';

const INTERVAL_S = 3;
const GRACE_S = 3;

const beat = (gatewayId: string): Heartbeat => ({
  schema: 1,
  gatewayId,
  sentAt: new Date().toISOString(),
  agentVersion: '0.1.0',
  uptimeS: 1,
  outboxDepth: 0,
  drivers: { wristband: 'up' },
  models: [],
  rssMb: 80,
  cpuPct: 1,
  heartbeatIntervalS: INTERVAL_S,
});

describe.skipIf(FLEET_SKIP !== '')(
  `gateway-silent supervision with two replicas and Mosquitto ${FLEET_SKIP}`,
  () => {
    let fleet: Fleet;
    let homes: FleetHome[];
    const gateways = new Map<string, { client: MqttClient; timer: NodeJS.Timeout }>();
    const silentCases = async () =>
      (
        await fleet.db.query<{ gateway_id: string; case_id: string; events: number }>(
          `SELECT e.gateway_id, c.id AS case_id, count(*)::int AS events FROM cases c JOIN events e ON e.case_id = c.id
         WHERE c.kind = 'device_health' AND c.fault_key LIKE 'gateway_silent:%' GROUP BY e.gateway_id, c.id`,
        )
      ).rows;

    beforeAll(async () => {
      fleet = await startFleet(FLEET_DB_URL!, {
        config: {
          supervision: {
            graceS: GRACE_S,
            pollIntervalMs: 300,
            outageGapS: 4,
            defaultHeartbeatIntervalS: INTERVAL_S,
          },
        },
      });
      await Promise.all([fleet.startCloud('a'), fleet.startCloud('b')]);
      homes = await fleet.enrol(3, 'gw-sup');
      for (const h of homes) {
        const client = await fleet.connect(h);
        const send = () =>
          void client
            .publishAsync(topics.health(h.gatewayId), JSON.stringify(beat(h.gatewayId)), { qos: 1 })
            .catch(() => {});
        send();
        gateways.set(h.gatewayId, { client, timer: setInterval(send, 2000) });
      }
      await waitFor(
        async () => {
          const { rows } = await fleet.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM gateways WHERE silent_due_at IS NOT NULL AND id LIKE 'gw-sup-%'`,
          );
          return rows[0]!.n === homes.length;
        },
        30_000,
        'every gateway heard',
      );
    }, 180_000);

    afterAll(async () => {
      for (const g of gateways.values()) clearInterval(g.timer);
      await fleet?.close();
    });

    it('one silent gateway: exactly one case although both replicas supervise it', async () => {
      const victim = homes[0]!;
      const g = gateways.get(victim.gatewayId)!;
      clearInterval(g.timer);
      await g.client.endAsync(true);
      const silencedAt = Date.now();
      await waitFor(
        async () => (await silentCases()).length > 0,
        (INTERVAL_S + 60) * 1000,
        'a gateway_silent case',
      );
      console.log(`two replicas: gateway_silent after ${((Date.now() - silencedAt) / 1000).toFixed(1)} s`);
      await new Promise((r) => setTimeout(r, 3000)); // more ticks of both replicas
      const cases = await silentCases();
      expect(cases).toEqual([{ gateway_id: victim.gatewayId, case_id: cases[0]!.case_id, events: 1 }]);
      // Both replicas were running and supervising the whole time.
      for (const c of fleet.clouds.values()) expect(c.child.exitCode).toBeNull();
    }, 120_000);

    it('Mosquitto restarted for longer than interval + grace: no false alarm', async () => {
      const before = (await silentCases()).length;
      await fleet.broker.stop();
      await new Promise((r) => setTimeout(r, (INTERVAL_S + GRACE_S + 4) * 1000));
      await fleet.broker.start();
      // Gateways and clouds reconnect by themselves; watch two intervals past the grace.
      await new Promise((r) => setTimeout(r, (2 * INTERVAL_S + GRACE_S + 4) * 1000));
      expect((await silentCases()).length).toBe(before);
      const graced = [...fleet.clouds.values()].some((c) =>
        c.lines.some(
          (l) => l.msg?.startsWith('supervision resumes after an outage') && l.brokerWasDown === true,
        ),
      );
      expect(graced).toBe(true);
      // And the live gateways were heard again after it.
      const { rows } = await fleet.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM gateways WHERE id = ANY($1) AND last_heartbeat_at > now() - interval '10 seconds'`,
        [homes.slice(1).map((h) => h.gatewayId)],
      );
      expect(rows[0]!.n).toBe(2);
    }, 120_000);
  },
);
