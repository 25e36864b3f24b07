import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, hhmm, startHarness } from './nodered.harness.ts';

describe('shipped flow: quiet hours (real Node-RED, real broker and outbox)', () => {
  let h: Harness;
  // Quiet from an hour ago to an hour from now, fixed once: a minute may turn while the suite runs.
  const start = hhmm(-60);
  const end = hhmm(60);
  beforeAll(async () => {
    h = await startHarness({ flowEnv: { QUIET_START: start, QUIET_END: end, CHECK_S: 0.2 } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('publishes the quiet-hours state on the local broker', async () => {
    expect(await h.message('home/agent/quiet_hours')).toMatchObject({
      quiet: true,
      start,
      end,
    });
  });

  it('suppresses a normal reminder and raises an info event saying it was not given', async () => {
    h.bus.publish('home/agent/medication/remind', {});
    const event = await h.event((e) => e.evidence.rule === 'quiet_hours_suppressed');
    expect(event).toMatchObject({
      kind: 'device_health',
      severity: 'info',
      evidence: { suppressed: 'medication', quietStart: start, source: 'node-red' },
    });
    expect(h.seen.some((m) => m.topic === 'home/speaker/say' || m.topic.endsWith('/vibrate'))).toBe(false);
  });

  it('lets an urgent announcement through', async () => {
    h.bus.publish('home/agent/announce', {
      source: 'installer-test',
      urgency: 'urgent',
      say: { 'zh-CN': '测试', en: 'test' },
      vibrate: { band: 'band1', pattern: 'alarm' },
    });
    expect(await h.message('home/speaker/say')).toMatchObject({
      source: 'installer-test',
      urgency: 'urgent',
    });
    expect(await h.message('home/band1/vibrate')).toMatchObject({ pattern: 'alarm' });
  });
});
