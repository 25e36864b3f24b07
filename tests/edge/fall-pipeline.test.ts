import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { FallPipeline } from '../../edge/src/agent/fall-pipeline.ts';
import { LocalBus } from '../../edge/src/bus/local-broker.ts';
import { ManualClock, systemClock } from '../../edge/src/clock.ts';
import { readRecording, resample } from '../../edge/src/datasets/falls.ts';
import { silentLogger } from '../../edge/src/log/logger.ts';
import { createBaselineFallScorer } from '../../edge/src/scoring/fall-baseline/fall-baseline.scorer.ts';
import type { Detection } from '../../edge/src/scoring/scorer.ts';
import { waitFor } from '../../tools/harness/net.ts';
import { FALLS_DIR } from '../../tools/harness/processes.ts';
import { FALL_RECORDING } from '../../tools/harness/recordings.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fall pipeline on the local broker', () => {
  it('raises one alarm for a recorded fall while malformed readings from other programs are counted and ignored', async () => {
    const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    cleanups.push(() => bus.close());
    const alarms: Detection[] = [];
    const pipeline = new FallPipeline({
      device: 'band1',
      scorer: createBaselineFallScorer(),
      confirmWindowMs: 200,
      dedupeMs: 60_000,
      bus,
      clock: systemClock,
      log: silentLogger,
      onAlarm: (d) => alarms.push(d),
    });
    pipeline.start();
    cleanups.push(() => pipeline.stop());

    // Another program on the home broker publishes junk on the band's topics.
    const intruder = await mqtt.connectAsync(`mqtt://127.0.0.1:${bus.port}`);
    cleanups.push(() => intruder.endAsync());
    await intruder.publishAsync('home/band1/accel', 'not json');
    await intruder.publishAsync(
      'home/band1/accel',
      JSON.stringify({ tMs: 0, intervalMs: 20, samples: [[1, 2]] }),
    );
    await intruder.publishAsync('home/band1/button', JSON.stringify({ tMs: 0, button: 'panic' }));

    const samples = resample(readRecording(join(FALLS_DIR, FALL_RECORDING)), 50);
    for (let i = 0; i < samples.length; i += 10) {
      const chunk = samples.slice(i, i + 10);
      bus.publish('home/band1/accel', {
        tMs: chunk[0]!.tMs,
        intervalMs: 20,
        samples: chunk.map((s) => [s.x, s.y, s.z]),
      });
    }
    await waitFor(() => alarms.length === 1, 5000, 'alarm');
    expect(alarms[0]).toMatchObject({ kind: 'fall', severity: 'critical' });
    expect(pipeline.counters.badReadings).toBe(3);
    expect(pipeline.counters.samples).toBe(samples.length);
  });

  it('prompts the band for the whole "I\'m OK" window; "I\'m OK" stops it and nothing reaches onAlarm', async () => {
    const bus = await LocalBus.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    cleanups.push(() => bus.close());
    // The window runs on a manual clock: it ends when the test says, not after 4.5 s of waiting.
    const clock = new ManualClock(Date.now());
    const samples = resample(readRecording(join(FALLS_DIR, FALL_RECORDING)), 50);
    // Two bands, the same fall on each: band1's wearer presses "I'm OK", band2's does not — band2 shows that
    // the window, run through the same pipeline, does raise the alarm band1's "I'm OK" stopped.
    const band = (device: string) => {
      const alarms: Detection[] = [];
      const prompts: unknown[] = [];
      bus.subscribe(`home/${device}/prompt`, (_t, p) => prompts.push(p));
      const pipeline = new FallPipeline({
        device,
        scorer: createBaselineFallScorer(),
        confirmWindowMs: 4_000,
        dedupeMs: 60_000,
        bus,
        clock,
        log: silentLogger,
        onAlarm: (d) => alarms.push(d),
      });
      pipeline.start();
      cleanups.push(() => pipeline.stop());
      for (let i = 0; i < samples.length; i += 10) {
        const chunk = samples.slice(i, i + 10);
        bus.publish(`home/${device}/accel`, {
          tMs: chunk[0]!.tMs,
          intervalMs: 20,
          samples: chunk.map((s) => [s.x, s.y, s.z]),
        });
      }
      return { alarms, prompts, pipeline };
    };
    const pressed = band('band1');
    const unanswered = band('band2');
    await waitFor(() => pressed.prompts.length === 1, 5000, 'prompt start');
    expect(pressed.prompts[0]).toEqual({ action: 'start', seconds: 4 });
    await waitFor(() => unanswered.prompts.length === 1, 5000, 'prompt start on the control band');
    bus.publish('home/band1/button', { tMs: 0, button: 'ok' });
    await waitFor(() => pressed.prompts.length === 2, 5000, 'prompt stop');
    expect(pressed.prompts[1]).toEqual({ action: 'stop' });
    clock.advance(4_500); // past the window
    expect(unanswered.alarms).toMatchObject([{ kind: 'fall', severity: 'critical' }]);
    expect(unanswered.pipeline.counters).toMatchObject({ held: 1, cancelled: 0, raised: 1 });
    expect(pressed.alarms).toEqual([]);
    expect(pressed.pipeline.counters).toMatchObject({ held: 1, cancelled: 1, raised: 0 });
  });
});
