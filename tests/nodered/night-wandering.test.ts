import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, EVENT_SCHEMA_VERSION, newEventId } from '../../contracts/src/index.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { type Harness, hhmm, startHarness } from './nodered.harness.ts';

const NO_RETURN_MIN = 0.02; // 1.2 s

/**
 * Proof that the flow, in the state a "raises nothing" test left it, does raise: the door opens and nobody
 * comes back, and its night_exit arrives. Taken out of the outbox again, so the next test starts empty.
 */
async function controlExit(h: Harness, tMs: number): Promise<void> {
  h.bus.publish('home/door1/contact', { tMs, open: true });
  const event = await h.event((e) => e.evidence.rule === 'night_wandering');
  expect(event.evidence).toMatchObject({ door: 'door1', returned: false });
  for (const s of h.outbox.peek(1000)) await h.outbox.ack(s.seq);
}

describe('shipped flow: night wandering (real Node-RED, real broker and outbox)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      flowEnv: {
        DOOR: 'door1',
        NIGHT_START: hhmm(-60),
        NIGHT_END: hhmm(60),
        NO_RETURN_MIN,
        MOTION_GRACE_S: 0.3,
      },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps the editor off by default: no port, nothing listening on 1880', async () => {
    expect(h.nodeRed.port).toBeUndefined();
    expect(h.nodeRed.url).toBeUndefined();
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(1880, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('raises nothing when the door opens again within NO_RETURN_MIN (back in)', async () => {
    h.bus.publish('home/door1/contact', { tMs: 1, open: true });
    await new Promise((r) => setTimeout(r, 300));
    h.bus.publish('home/door1/contact', { tMs: 2, open: true });
    await new Promise((r) => setTimeout(r, 1_800)); // past NO_RETURN_MIN: the quiet is what is tested
    expect(h.outbox.size()).toBe(0);
    await controlExit(h, 20);
  });

  it('raises nothing when indoor motion is seen after the grace period (someone is in)', async () => {
    h.bus.publish('home/door1/contact', { tMs: 3, open: true });
    await new Promise((r) => setTimeout(r, 500));
    h.bus.publish('home/hall/motion', { tMs: 4, occupied: true });
    await new Promise((r) => setTimeout(r, 1_800)); // past NO_RETURN_MIN: the quiet is what is tested
    expect(h.outbox.size()).toBe(0);
    await controlExit(h, 40);
  });

  it("raises night_exit when nobody is back in time, linked to the agent's own night_exit", async () => {
    h.bus.publish('home/door1/contact', { tMs: 5, open: true });
    const agentEventId = newEventId();
    // The agent's own rule raised it too (published by the gateway after storing it).
    h.bus.publish('home/agent/events', {
      schema: EVENT_SCHEMA_VERSION,
      id: agentEventId,
      kind: 'night_exit',
      severity: 'warning',
      evidence: { openedAt: hhmm() },
    });
    const event = await h.event((e) => e.evidence.rule === 'night_wandering');
    expect(event).toMatchObject({
      kind: 'night_exit',
      severity: 'urgent',
      evidence: {
        door: 'door1',
        noReturnMin: NO_RETURN_MIN,
        returned: false,
        agentEventId,
        source: 'node-red',
      },
    });
    // Its own event comes back on home/agent/events: the flow must not take it for the agent's.
    await waitFor(
      () => h.seen.some((m) => m.topic === 'home/agent/events' && (m.payload as AlertEvent).id === event.id),
      5_000,
      'its own event echoed on home/agent/events',
    );
    expect(h.outbox.size()).toBe(1);
  });
});
