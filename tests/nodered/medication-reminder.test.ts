import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, hhmm, startHarness } from './nodered.harness.ts';

// One Node-RED per process (Node-RED cannot restart in-process): each flow file gets its own test file.
describe('shipped flow: medication reminder (real Node-RED, real broker and outbox)', () => {
  let h: Harness;
  beforeAll(async () => {
    // Start early in a minute and make only that minute due: a second time due in the next minute would remind
    // again while the OK test waits, and raise "missed" for that reminder (a CI run once crossed the boundary).
    const intoMinuteMs = Date.now() % 60_000;
    if (intoMinuteMs > 30_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinuteMs + 200));
    h = await startHarness({
      flowEnv: {
        MEDICATION_TIMES: hhmm(0),
        CHECK_S: 0.2,
        CONFIRM_MIN: 0.03, // 1.8 s
        BAND: 'band7',
        // Quiet hours never: the reminder is announced.
        QUIET_START: '00:00',
        QUIET_END: '00:00',
      },
    });
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('reminds at the set time by speaker (zh-CN and en) and wristband vibration', async () => {
    const say = (await h.message('home/speaker/say')) as { text: Record<string, string>; source: string };
    expect(say.source).toBe('medication');
    expect(say.text['zh-CN']).toContain('吃药');
    expect(say.text.en).toContain('medicine');
    expect(await h.message('home/band7/vibrate')).toMatchObject({
      pattern: 'reminder',
      source: 'medication',
    });
  });

  it('raises nothing when OK is pressed within the confirm window, and "medication missed" when it does not come', async () => {
    h.bus.publish('home/band7/button', { tMs: 1, button: 'ok' });
    await new Promise((r) => setTimeout(r, 2_500)); // past the 1.8 s window: the quiet is what is tested
    expect(h.outbox.size()).toBe(0);

    // The same flow, reminding again with no OK, does raise: the quiet above was the OK's doing.
    const before = Date.now();
    h.bus.publish('home/agent/medication/remind', {});
    const event = await h.event((e) => e.kind === 'medication_missed');
    expect(event).toMatchObject({
      kind: 'medication_missed',
      severity: 'warning',
      gatewayId: 'gw-test',
      residentId: 'r-1',
      evidence: { scheduledAt: 'manual', band: 'band7', source: 'node-red' },
    });
    expect(Date.parse(event.detectedAt) - before).toBeGreaterThanOrEqual(1_700);
    // Announced locally too, like the agent's own events.
    expect(h.seen.some((m) => m.topic === 'home/agent/events')).toBe(true);
  });
});
