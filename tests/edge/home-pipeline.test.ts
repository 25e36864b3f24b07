import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../contracts/src/index.ts';
import { type Gateway, startGateway } from '../../edge/src/agent/gateway.ts';
import { ManualClock } from '../../edge/src/clock.ts';
import { validateGatewayConfig } from '../../edge/src/config/load-config.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { freePort, waitFor } from '../../tools/harness/net.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Topics published on the gateway's local broker, seen by an in-process subscriber after the pipeline's own. */
function busTopics(gw: Gateway): string[] {
  const topics: string[] = [];
  gw.bus.subscribe('home/+/+', (topic) => topics.push(topic));
  return topics;
}
const driverCounters = (gw: Gateway) => gw.drivers[0]!.health().counters;

const outboxEvents = (dir: string): AlertEvent[] =>
  readdirSync(join(dir, 'outbox'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, 'outbox', f), 'utf8')));

describe('home sensors through the gateway (zigbee2mqtt on the local broker → inactivity and safety)', () => {
  it('raises an unusual silence and a night exit as events in the outbox, and keeps what it learned across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'home-'));
    // Local wall time of this machine: a weekday morning, then the night after.
    const clock = new ManualClock(new Date(2026, 10, 18, 9, 0, 0).getTime());
    const config = validateGatewayConfig({
      gatewayId: 'gw-home',
      residentId: 'res-1',
      dataDir,
      localBroker: { port: 0 },
      cloud: { url: `mqtt://127.0.0.1:${await freePort()}`, secret: 'secret-123' }, // cloud away: events stay on disk
      nodeRed: { enabled: false }, // it starts once per process, and this test restarts the gateway in-process
      devices: [
        {
          type: 'zigbee2mqtt',
          devices: [
            { friendlyName: 'hall pir', device: 'pir-hall', room: 'hall', role: 'motion' },
            { friendlyName: 'front door', device: 'door-front', room: 'hall', role: 'front_door' },
          ],
        },
      ],
    });
    let gw: Gateway = await startGateway(config, silentLogger, clock);
    cleanups.push(() => gw.stop());
    let topics = busTopics(gw);
    const z2m = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.bus.port}`);
    cleanups.push(() => z2m.endAsync());

    await z2m.publishAsync('zigbee2mqtt/hall pir', JSON.stringify({ occupancy: true, battery: 90 }));
    await z2m.publishAsync('zigbee2mqtt/hall pir', JSON.stringify({ occupancy: 'maybe' })); // counted, ignored
    // Both read before the clock moves: the motion is on the bus, and the bad field (sent after it) counted.
    await waitFor(
      () => topics.includes('home/pir-hall/motion') && driverCounters(gw).badFields === 1,
      5000,
      'the 09:00 motion on the bus and the bad field counted',
    );
    clock.advance(14 * 3_600_000); // nothing moves until 23:00
    const silence = await waitFor(
      () => outboxEvents(dataDir).find((e) => e.kind === 'inactivity'),
      5000,
      'inactivity event',
    );
    expect(silence.residentId).toBe('res-1');
    expect(String(silence.evidence.explanation)).toMatch(/no activity since 09:00/);
    // A new home: the desk sees it is still learning (heartbeat), and so does the alert's evidence.
    expect(gw.heartbeat().homeLearning).toEqual({ day: 1, days: 7 });
    expect(silence.evidence.learningDay).toBe(1);

    await gw.stop();
    expect(readdirSync(join(dataDir, 'state')).sort()).toEqual(['inactivity.json', 'meter-safety.json']);
    gw = await startGateway(config, silentLogger, clock);
    topics = busTopics(gw);
    const z2m2 = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.bus.port}`);
    cleanups.push(() => z2m2.endAsync());
    clock.advanceTo(new Date(2026, 10, 19, 2, 30, 0).getTime());
    await z2m2.publishAsync('zigbee2mqtt/front door', JSON.stringify({ contact: true }));
    await z2m2.publishAsync('zigbee2mqtt/hall pir', JSON.stringify({ occupancy: true }));
    await waitFor(
      () => topics.includes('home/door-front/contact') && topics.includes('home/pir-hall/motion'),
      5000,
      'the closed door and the 02:30 motion on the bus',
    );
    await z2m2.publishAsync('zigbee2mqtt/front door', JSON.stringify({ contact: false })); // opened at 02:30
    const exit = await waitFor(
      () => outboxEvents(dataDir).find((e) => e.kind === 'night_exit'),
      5000,
      'night exit event',
    );
    expect(exit.severity).toBe('warning');
    // The silence escalated while it lasted (once per level); the night exit came after it.
    const events = outboxEvents(dataDir);
    expect(events.map((e) => e.kind).at(-1)).toBe('night_exit');
    expect(events.filter((e) => e.kind === 'inactivity').map((e) => e.severity)).toEqual([
      'warning',
      'urgent',
      'critical',
    ]);
  });
});
