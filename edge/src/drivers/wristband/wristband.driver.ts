import { homeTopics } from '../../../../contracts/src/index.ts';
import type { AccelReading, BatteryReading, ButtonReading, HeartRateReading } from '../../bus/readings.ts';
import type { DriverDeps, DriverFactory } from '../driver.ts';
import { SerialLine } from '../serial/serial-line.ts';
import {
  encodePrompt,
  encodeVibrate,
  FrameDecoder,
  VibratePattern,
  type VibratePatternName,
  type WristbandFrame,
} from './codec.ts';

export interface WristbandDriverConfig {
  device: string;
  path: string;
  baudRate: number;
  reopenMinMs: number;
  reopenMaxMs: number;
}

/**
 * Reads the wristband receiver on a serial port and publishes its frames as readings. Bad frames are
 * counted and skipped; when the port disappears (unplugged dongle, socat gone) the shared SerialLine
 * reopens it with backoff.
 */
export const createWristbandDriver: DriverFactory<WristbandDriverConfig> = (
  config,
  { bus, log, clock }: DriverDeps,
) => {
  const dlog = log.child({ component: 'driver', driverId: config.device });
  const counters = {
    frames: 0,
    badFrames: 0,
    bytes: 0,
    vibrations: 0,
    prompts: 0,
    acks: 0,
    badCommands: 0,
    commandsUnsent: 0,
  };
  let downlinkSeq = 0;
  const unsubscribes: (() => void)[] = [];
  const decoder = new FrameDecoder((reason) => {
    counters.badFrames++;
    dlog.debug({ reason }, 'bad frame skipped');
  });
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
      case 'ack':
        counters.acks++;
        dlog.info(
          { ackType: f.ackType, ackSeq: f.ackSeq, status: f.status },
          'band answered a downlink frame',
        );
        break;
    }
  };

  const line = new SerialLine(
    {
      path: config.path,
      baudRate: config.baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      reopenMinMs: config.reopenMinMs,
      reopenMaxMs: config.reopenMaxMs,
    },
    clock,
    dlog,
    {
      onData(chunk) {
        counters.bytes += chunk.length;
        for (const f of decoder.push(chunk)) {
          counters.frames++;
          publishFrame(f);
        }
      },
      onOpen() {
        decoder.reset(); // a partial frame from before the port went away is stale
        dlog.info({ path: config.path, baudRate: config.baudRate }, 'wristband receiver open');
      },
    },
  );

  /** Vibrate requests from the local broker (Node-RED's reminders) go down the same serial line. */
  const onVibrate = (_topic: string, payload: unknown) => {
    const pattern = (payload as { pattern?: unknown } | undefined)?.pattern;
    if (typeof pattern !== 'string' || !Object.hasOwn(VibratePattern, pattern)) {
      counters.badCommands++;
      dlog.warn({ pattern }, 'vibrate request refused: pattern must be reminder, alert or ack');
      return;
    }
    const sent = line.write(encodeVibrate(downlinkSeq++, pattern as VibratePatternName));
    if (sent) counters.vibrations++;
    else {
      counters.commandsUnsent++;
      dlog.warn({ pattern }, 'vibrate request not sent: the receiver port is closed');
    }
  };

  /** The "I'm OK" prompt of a fall's confirm window (FallPipeline): vibrate + beep on the band, or stop it. */
  const onPrompt = (_topic: string, payload: unknown) => {
    const p = payload as { action?: unknown; seconds?: unknown } | undefined;
    let frame: Buffer;
    try {
      if (p?.action !== 'start' && p?.action !== 'stop') throw new RangeError('action must be start or stop');
      frame = encodePrompt(downlinkSeq, p.action, p.action === 'start' ? Number(p.seconds) : 0);
    } catch (err) {
      counters.badCommands++;
      dlog.warn({ payload: p, err: (err as Error).message }, 'prompt request refused');
      return;
    }
    downlinkSeq++;
    if (line.write(frame)) {
      counters.prompts++;
      dlog.info({ action: p.action, seconds: p.seconds }, 'prompt sent to the band');
    } else {
      counters.commandsUnsent++;
      dlog.warn({ action: p.action }, 'prompt not sent: the receiver port is closed');
    }
  };

  return {
    id: config.device,
    async start() {
      line.start();
      unsubscribes.push(
        bus.subscribe(homeTopics.vibrate(config.device), onVibrate),
        bus.subscribe(homeTopics.prompt(config.device), onPrompt),
      );
    },
    stop: () => {
      for (const u of unsubscribes.splice(0)) u();
      return line.stop();
    },
    health: () => ({
      state: line.state,
      detail: line.detail,
      counters: {
        ...counters,
        reopens: line.reopens,
        ...decoder.stats.rejected,
        seqGaps: decoder.stats.seqGaps,
      },
    }),
  };
};
