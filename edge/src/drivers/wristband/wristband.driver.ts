import { SerialPort } from 'serialport';
import { homeTopics } from '../../../../contracts/src/index.ts';
import type { AccelReading, BatteryReading, ButtonReading, HeartRateReading } from '../../bus/readings.ts';
import type { DriverDeps, DriverFactory, DriverHealth } from '../driver.ts';
import { FrameDecoder, type WristbandFrame } from './codec.ts';

export interface WristbandDriverConfig {
  device: string;
  path: string;
  baudRate: number;
  reopenMinMs: number;
  reopenMaxMs: number;
}

/**
 * Reads the wristband receiver on a serial port and publishes its frames as readings. Bad frames are
 * counted and skipped; when the port disappears (unplugged dongle, socat gone) it reopens with backoff.
 */
export const createWristbandDriver: DriverFactory<WristbandDriverConfig> = (
  config,
  { bus, log, clock }: DriverDeps,
) => {
  const dlog = log.child({ component: 'driver', driverId: config.device });
  const counters = { frames: 0, badFrames: 0, reopens: 0, bytes: 0 };
  const decoder = new FrameDecoder((reason) => {
    counters.badFrames++;
    dlog.debug({ reason }, 'bad frame skipped');
  });
  let port: SerialPort | undefined;
  let state: DriverHealth['state'] = 'down';
  let detail = 'not started';
  let stopped = false;
  let retryTimer: unknown;
  let backoffMs = config.reopenMinMs;

  const publishFrame = (f: WristbandFrame) => {
    const d = config.device;
    switch (f.type) {
      case 'accel':
        bus.publish(homeTopics.accel(d), {
          tMs: f.tMs,
          intervalMs: f.intervalMs,
          samples: f.samples.map((s) => [s.x, s.y, s.z]),
        } satisfies AccelReading);
        break;
      case 'heartRate':
        bus.publish(homeTopics.heartRate(d), {
          tMs: f.tMs,
          bpm: f.bpm,
          quality: f.quality,
        } satisfies HeartRateReading);
        break;
      case 'battery':
        bus.publish(homeTopics.battery(d), { tMs: f.tMs, percent: f.percent } satisfies BatteryReading);
        break;
      case 'button':
        dlog.info({ button: f.button }, 'wristband button');
        bus.publish(homeTopics.button(d), { tMs: f.tMs, button: f.button } satisfies ButtonReading);
        break;
    }
  };

  const scheduleReopen = (why: string) => {
    state = 'down';
    detail = why;
    port = undefined;
    if (stopped) return;
    clock.clearTimeout(retryTimer);
    retryTimer = clock.setTimeout(open, backoffMs);
    backoffMs = Math.min(config.reopenMaxMs, backoffMs * 2);
  };

  function open(): void {
    if (stopped) return;
    const p = new SerialPort({ path: config.path, baudRate: config.baudRate, autoOpen: false });
    p.on('data', (chunk: Buffer) => {
      counters.bytes += chunk.length;
      for (const f of decoder.push(chunk)) {
        counters.frames++;
        publishFrame(f);
      }
    });
    p.on('error', (err) => dlog.warn({ err: err.message }, 'serial port error'));
    p.on('close', () => {
      if (port !== p) return;
      dlog.warn({ path: config.path }, 'serial port closed; will reopen');
      decoder.reset();
      counters.reopens++;
      scheduleReopen('port closed');
    });
    p.open((err) => {
      if (err) {
        if (state === 'up' || detail === 'not started')
          dlog.warn({ path: config.path, err: err.message }, 'cannot open serial port; retrying');
        scheduleReopen(err.message);
        return;
      }
      if (stopped) {
        p.close();
        return;
      }
      port = p;
      state = 'up';
      detail = config.path;
      backoffMs = config.reopenMinMs;
      dlog.info({ path: config.path, baudRate: config.baudRate }, 'wristband receiver open');
    });
  }

  return {
    id: config.device,
    async start() {
      stopped = false;
      open();
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(retryTimer);
      const p = port;
      port = undefined;
      state = 'down';
      detail = 'stopped';
      if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
    health: () => ({
      state,
      detail,
      counters: { ...counters, ...decoder.stats.rejected, seqGaps: decoder.stats.seqGaps },
    }),
  };
};
