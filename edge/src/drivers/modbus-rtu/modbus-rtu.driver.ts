import modbusSerial from 'modbus-serial';
import { homeReadingTopics, type MeterReading, type PowerReading } from '../../bus/readings.ts';
import type { DriverDeps, DriverFactory, DriverHealth } from '../driver.ts';
import { createPollLoop } from '../serial/poll-loop.ts';
import { unref } from '../serial/timers.ts';
import { decodeRegisters, registerCount } from './modbus-rtu.codec.ts';
import type { ModbusRegisterConfig, ModbusRtuDriverConfig, ModbusSlaveConfig } from './modbus-rtu.config.ts';

// modbus-serial is CommonJS; its typings describe `module.exports.default` (which it also sets at run time).
const ModbusRTU = modbusSerial.default;
type ModbusClient = InstanceType<typeof ModbusRTU>;

type Failure = 'timeout' | 'crc' | 'exception' | 'port_down' | 'other';

/** modbus-serial reports failures as plain objects with a name/errno/message; sort them for counting. */
function classify(err: unknown): Failure {
  const e = err as { errno?: unknown; name?: unknown; message?: unknown; modbusCode?: unknown };
  if (e?.errno === 'ETIMEDOUT') return 'timeout';
  if (e?.name === 'PortNotOpenError') return 'port_down';
  if (typeof e?.modbusCode === 'number') return 'exception';
  if (typeof e?.message === 'string' && e.message.startsWith('CRC error')) return 'crc';
  return 'other';
}

/**
 * Polls Modbus RTU slaves (electricity, water and gas meters) on one RS-485 line with modbus-serial.
 * Requests go one at a time; a slave that does not answer costs one `responseTimeoutMs` per cycle (its
 * other registers are skipped that cycle) and never stalls the others. The port is reopened with backoff
 * when it disappears.
 */
export const createModbusRtuDriver: DriverFactory<ModbusRtuDriverConfig> = (
  config,
  { bus, log, clock }: DriverDeps,
) => {
  const dlog = log.child({ component: 'driver', driverId: config.id });
  const counters = {
    polls: 0,
    replies: 0,
    timeouts: 0,
    crcErrors: 0,
    exceptions: 0,
    otherErrors: 0,
    badValues: 0,
    readings: 0,
    reopens: 0,
  };
  const silent = new Set<string>();
  let client: ModbusClient | undefined;
  let state: DriverHealth['state'] = 'down';
  let detail = 'not started';
  let stopped = true;
  let retryTimer: unknown;
  let backoffMs = config.reopenMinMs;

  const scheduleReopen = (why: string) => {
    state = 'down';
    detail = why;
    client = undefined;
    if (stopped) return;
    clock.clearTimeout(retryTimer);
    retryTimer = unref(clock.setTimeout(open, backoffMs));
    backoffMs = Math.min(config.reopenMaxMs, backoffMs * 2);
  };

  function open(): void {
    if (stopped) return;
    const c = new ModbusRTU();
    c.on('error', (err: unknown) => dlog.warn({ err: (err as Error)?.message }, 'modbus port error'));
    c.on('close', () => {
      if (client !== c) return;
      dlog.warn({ path: config.path }, 'serial port closed; will reopen');
      counters.reopens++;
      scheduleReopen('port closed');
    });
    c.connectRTUBuffered(config.path, {
      baudRate: config.baudRate,
      dataBits: config.dataBits,
      parity: config.parity,
      stopBits: config.stopBits,
    }).then(
      () => {
        if (stopped) {
          c.close(() => {});
          return;
        }
        c.setTimeout(config.responseTimeoutMs);
        client = c;
        state = 'up';
        detail = config.path;
        backoffMs = config.reopenMinMs;
        dlog.info(
          { path: config.path, baudRate: config.baudRate, parity: config.parity },
          'modbus line open',
        );
      },
      (err: unknown) => {
        if (detail === 'not started')
          dlog.warn({ path: config.path, err: (err as Error)?.message }, 'cannot open serial port; retrying');
        scheduleReopen(String((err as Error)?.message ?? err));
      },
    );
  }

  const publish = (slave: ModbusSlaveConfig, values: Map<ModbusRegisterConfig['reading'], number>) => {
    const tMs = clock.now();
    const energyKwh = values.get('electricity_kwh');
    for (const [reading, v] of values) {
      if (reading === 'power_w') {
        const p: PowerReading = { tMs, watts: Math.max(0, v) };
        if (energyKwh !== undefined && energyKwh >= 0) p.energyKwh = energyKwh;
        bus.publish(homeReadingTopics.power(slave.device), p);
      } else {
        if (v < 0) {
          counters.badValues++;
          continue;
        }
        bus.publish(homeReadingTopics.meter(slave.device), {
          tMs,
          quantity: reading,
          total: v,
        } satisfies MeterReading);
      }
      counters.readings++;
    }
  };

  const pollSlave = async (c: ModbusClient, slave: ModbusSlaveConfig) => {
    const values = new Map<ModbusRegisterConfig['reading'], number>();
    for (const reg of slave.registers) {
      if (stopped || client !== c) return;
      c.setID(slave.unitId);
      counters.polls++;
      try {
        const count = registerCount(reg.type);
        const res =
          reg.function === 3
            ? await c.readHoldingRegisters(reg.register, count)
            : await c.readInputRegisters(reg.register, count);
        counters.replies++;
        const v = decodeRegisters(res.data, reg.type, reg.wordOrder, reg.scale);
        if (v === undefined) counters.badValues++;
        else values.set(reg.reading, v);
      } catch (err) {
        const kind = classify(err);
        if (kind === 'timeout') {
          counters.timeouts++;
          if (!silent.has(slave.device))
            dlog.warn({ device: slave.device, unitId: slave.unitId }, 'slave does not answer');
          silent.add(slave.device);
          return; // skip its other registers this cycle: one timeout per silent slave per cycle
        }
        if (kind === 'crc') counters.crcErrors++;
        else if (kind === 'exception') counters.exceptions++;
        else if (kind === 'port_down') return;
        else counters.otherErrors++;
        dlog.debug({ device: slave.device, register: reg.register, kind }, 'modbus read failed');
      }
    }
    if (silent.delete(slave.device)) dlog.info({ device: slave.device }, 'slave answers again');
    publish(slave, values);
  };

  const cycle = async () => {
    const c = client;
    if (!c) return;
    for (const slave of config.slaves) await pollSlave(c, slave);
  };

  const poll = createPollLoop({ clock, intervalMs: config.pollIntervalMs, cycle, log: dlog });

  return {
    id: config.id,
    async start() {
      if (!stopped) return;
      stopped = false;
      open();
      poll.start(Math.min(config.pollIntervalMs, Math.max(config.reopenMinMs, 200)));
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(retryTimer);
      poll.stop();
      const c = client;
      client = undefined;
      state = 'down';
      detail = 'stopped';
      if (c?.isOpen) await new Promise<void>((resolve) => c.close(() => resolve()));
    },
    health: () => ({
      state,
      detail: silent.size ? `${detail}; silent: ${[...silent].join(',')}` : detail,
      counters: { ...counters, silentSlaves: silent.size },
    }),
  };
};
