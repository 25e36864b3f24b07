import { homeReadingTopics, type MeterReading } from '../../bus/readings.ts';
import type { DriverDeps, DriverFactory, DriverHealth } from '../driver.ts';
import { SerialLine } from '../serial/serial-line.ts';
import { unref } from '../serial/timers.ts';
import { PulseAccumulator, PulseLineDecoder, type PulseReport } from './pulse-counter.codec.ts';
import type { PulseChannelConfig, PulseCounterDriverConfig } from './pulse-counter.config.ts';

interface ChannelState {
  config: PulseChannelConfig;
  acc: PulseAccumulator;
  pulses: number;
  lastPublishedMs: number | undefined;
}

/**
 * Reads a pulse-counter board (water and gas meters' pulse outputs) and publishes each channel's
 * running total as a `MeterReading` (litres or m³) — on the first report, on every change, and again
 * after `unchangedPublishMs`. The board pushes reports; silence beyond `silenceTimeoutMs` is counted.
 */
export const createPulseCounterDriver: DriverFactory<PulseCounterDriverConfig> = (
  config,
  { bus, log, clock }: DriverDeps,
) => {
  const dlog = log.child({ component: 'driver', driverId: config.id });
  const counters = {
    reports: 0,
    readings: 0,
    unknownChannel: 0,
    wraps: 0,
    resets: 0,
    implausible: 0,
    silences: 0,
  };
  const channels = new Map<number, ChannelState>(
    config.channels.map((c) => [
      c.channel,
      {
        config: c,
        acc: new PulseAccumulator(config.counterBits, config.maxPulsesPerReport),
        pulses: 0,
        lastPublishedMs: undefined,
      },
    ]),
  );
  let silent = false;
  let stopped = true;
  let silenceTimer: unknown;

  const armSilenceWatch = () => {
    clock.clearTimeout(silenceTimer);
    if (stopped) return;
    silenceTimer = unref(
      clock.setTimeout(() => {
        counters.silences++;
        if (!silent) dlog.warn({ silenceTimeoutMs: config.silenceTimeoutMs }, 'pulse board silent');
        silent = true;
        armSilenceWatch();
      }, config.silenceTimeoutMs),
    );
  };

  const totalOf = (ch: ChannelState) => {
    const litres = ch.pulses * ch.config.litresPerPulse;
    const v = ch.config.initialTotal + (ch.config.quantity === 'gas_m3' ? litres / 1000 : litres);
    return Math.round(v * 1e6) / 1e6; // no float dust like 0.30000000000000004
  };

  const onReport = (r: PulseReport) => {
    counters.reports++;
    const ch = channels.get(r.channel);
    if (!ch) {
      counters.unknownChannel++;
      return;
    }
    const { pulses, event } = ch.acc.update(r.count);
    if (event === 'wrap') counters.wraps++;
    else if (event === 'reset') {
      counters.resets++;
      dlog.info({ channel: r.channel, count: r.count }, 'pulse counter restarted');
    } else if (event === 'implausible') {
      counters.implausible++;
      dlog.warn({ channel: r.channel, count: r.count }, 'implausible pulse count; re-baselined');
    }
    ch.pulses += pulses;
    const now = clock.now();
    const due =
      ch.lastPublishedMs === undefined || pulses > 0 || now - ch.lastPublishedMs >= config.unchangedPublishMs;
    if (!due) return;
    ch.lastPublishedMs = now;
    bus.publish(homeReadingTopics.meter(ch.config.device), {
      tMs: now,
      quantity: ch.config.quantity,
      total: totalOf(ch),
    } satisfies MeterReading);
    counters.readings++;
  };

  const decoder = new PulseLineDecoder((reason) => dlog.debug({ reason }, 'bad line skipped'));
  const line = new SerialLine(config, clock, dlog, {
    onData(chunk) {
      const reports = decoder.push(chunk);
      if (reports.length === 0) return;
      if (silent) dlog.info('pulse board reports again');
      silent = false;
      armSilenceWatch();
      for (const r of reports) onReport(r);
    },
    // The board keeps counting while the port is away: counts after a reopen continue from the last one.
    onOpen: () => {
      decoder.reset();
      armSilenceWatch();
    },
  });

  return {
    id: config.id,
    async start() {
      if (!stopped) return;
      stopped = false;
      line.start();
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(silenceTimer);
      silenceTimer = undefined;
      await line.stop();
    },
    health(): DriverHealth {
      return {
        state: line.state === 'up' && !silent ? 'up' : 'down',
        detail: silent && line.state === 'up' ? 'board silent' : line.detail,
        counters: {
          ...counters,
          reopens: line.reopens,
          lines: decoder.stats.lines,
          ...decoder.stats.rejected,
        },
      };
    },
  };
};
