import { homeReadingTopics, type MeterReading, type PowerReading } from '../../bus/readings.ts';
import type { DriverDeps, DriverFactory, DriverHealth } from '../driver.ts';
import { createPollLoop } from '../serial/poll-loop.ts';
import { SerialLine } from '../serial/serial-line.ts';
import {
  DataId,
  Dlt645Decoder,
  decodeActivePowerW,
  decodeEnergyKwh,
  encodeReadRequest,
  parseReadReply,
  type ReadReply,
} from './dlt645.codec.ts';
import type { Dlt645DriverConfig } from './dlt645.config.ts';

type Outcome = ReadReply | 'timeout' | 'port_down' | 'stopped';

/**
 * Polls DL/T 645-2007 electricity meters on one RS-485 line: each cycle reads every meter's total active
 * energy and total active power, one request at a time (the line is half duplex, master-slave). A meter
 * that does not answer costs only its `responseTimeoutMs`; the others are still read.
 */
export const createDlt645Driver: DriverFactory<Dlt645DriverConfig> = (
  config,
  { bus, log, clock }: DriverDeps,
) => {
  const dlog = log.child({ component: 'driver', driverId: config.id });
  const counters = {
    polls: 0,
    replies: 0,
    timeouts: 0,
    errorReplies: 0,
    badValues: 0,
    unexpectedFrames: 0,
    readings: 0,
  };
  const silent = new Set<string>();
  let stopped = true;
  let cycleRunning = false;
  let pending: { address: string; di: number; resolve: (o: Outcome) => void; timer: unknown } | undefined;

  const decoder = new Dlt645Decoder((reason) => dlog.debug({ reason }, 'bad frame skipped'));
  const settle = (o: Outcome) => {
    const p = pending;
    if (!p) return;
    pending = undefined;
    clock.clearTimeout(p.timer);
    p.resolve(o);
  };
  const line = new SerialLine(config, clock, dlog, {
    onData(chunk) {
      for (const frame of decoder.push(chunk)) {
        const reply = parseReadReply(frame);
        const p = pending;
        const matches =
          reply && p && reply.address === p.address && (reply.kind === 'error' || reply.di === p.di);
        if (!matches) {
          counters.unexpectedFrames++;
          continue;
        }
        counters.replies++;
        settle(reply);
      }
    },
    onOpen: () => decoder.reset(),
    onLost: () => settle('port_down'),
  });

  const read = (address: string, di: number): Promise<Outcome> =>
    new Promise<Outcome>((resolve) => {
      if (stopped) return resolve('stopped');
      decoder.reset(); // a late reply to the previous request must not answer this one
      if (!line.write(encodeReadRequest(address, di))) return resolve('port_down');
      counters.polls++;
      const timer = clock.setTimeout(() => {
        counters.timeouts++;
        settle('timeout');
      }, config.responseTimeoutMs);
      pending = { address, di, resolve, timer };
    });

  /** Reads one value; logs and counts what went wrong; undefined unless a good value came back. */
  const readValue = async (
    meter: Dlt645DriverConfig['meters'][number],
    di: number,
    decode: (v: Buffer) => number | undefined,
  ): Promise<number | undefined | 'silent'> => {
    const o = await read(meter.address, di);
    if (o === 'timeout') return 'silent';
    if (typeof o === 'string') return undefined;
    if (o.kind === 'error') {
      counters.errorReplies++;
      dlog.warn({ device: meter.device, di: di.toString(16), errorByte: o.errorByte }, 'meter error reply');
      return undefined;
    }
    const v = decode(o.value);
    if (v === undefined) {
      counters.badValues++;
      dlog.warn({ device: meter.device, di: di.toString(16) }, 'meter value is not valid BCD');
    }
    return v;
  };

  const pollMeter = async (meter: Dlt645DriverConfig['meters'][number]) => {
    const energy = await readValue(meter, DataId.combinedActiveEnergyTotal, decodeEnergyKwh);
    if (energy === 'silent') {
      // Skip the power read: a silent meter costs one timeout per cycle, not two.
      if (!silent.has(meter.device)) dlog.warn({ device: meter.device }, 'meter does not answer');
      silent.add(meter.device);
      return;
    }
    if (silent.delete(meter.device)) dlog.info({ device: meter.device }, 'meter answers again');
    const power = await readValue(meter, DataId.activePowerTotal, decodeActivePowerW);
    const tMs = clock.now();
    if (typeof energy === 'number') {
      bus.publish(homeReadingTopics.meter(meter.device), {
        tMs,
        quantity: 'electricity_kwh',
        total: energy,
      } satisfies MeterReading);
      counters.readings++;
    }
    if (typeof power === 'number') {
      // A negative value is reverse flow (export); the house's draw is its magnitude.
      const reading: PowerReading = { tMs, watts: Math.abs(power) };
      if (typeof energy === 'number') reading.energyKwh = energy;
      bus.publish(homeReadingTopics.power(meter.device), reading);
      counters.readings++;
    }
  };

  const cycle = async () => {
    if (cycleRunning || stopped) return;
    cycleRunning = true;
    try {
      if (line.isOpen) for (const meter of config.meters) if (!stopped) await pollMeter(meter);
    } finally {
      cycleRunning = false;
    }
  };

  const poll = createPollLoop({ clock, intervalMs: config.pollIntervalMs, cycle, log: dlog });

  return {
    id: config.id,
    async start() {
      if (!stopped) return;
      stopped = false;
      line.start();
      // First poll soon after the port opens, then every pollIntervalMs.
      poll.start(Math.min(config.pollIntervalMs, Math.max(config.reopenMinMs, 200)));
    },
    async stop() {
      stopped = true;
      poll.stop();
      settle('stopped');
      await line.stop();
    },
    health(): DriverHealth {
      const h: DriverHealth = {
        state: line.state,
        detail: silent.size ? `${line.detail}; silent: ${[...silent].join(',')}` : line.detail,
        counters: {
          ...counters,
          reopens: line.reopens,
          frames: decoder.stats.frames,
          bytesSkipped: decoder.stats.bytesSkipped,
          ...decoder.stats.rejected,
          silentMeters: silent.size,
        },
      };
      return h;
    },
  };
};
