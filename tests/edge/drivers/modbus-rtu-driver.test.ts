import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../edge/src/clock.ts';
import { encodeRegisters } from '../../../edge/src/drivers/modbus-rtu/modbus-rtu.codec.ts';
import type { ModbusRtuDriverConfig } from '../../../edge/src/drivers/modbus-rtu/modbus-rtu.config.ts';
import { createModbusRtuDriver } from '../../../edge/src/drivers/modbus-rtu/modbus-rtu.driver.ts';
import { silentLogger } from '../../../edge/src/log/logger.ts';
import {
  modbusSimState,
  setWords,
  startModbusSlaveSim,
} from '../../../tools/harness/devices/modbus-rtu-slave.sim.ts';
import { waitFor } from '../../../tools/harness/net.ts';
import { localBus, ptyLine, recordReadings, useCleanups } from './pty-fixture.ts';

const cleanup = useCleanups();

function config(path: string): ModbusRtuDriverConfig {
  return {
    id: 'modbus',
    path,
    baudRate: 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    reopenMinMs: 50,
    reopenMaxMs: 200,
    pollIntervalMs: 1000,
    responseTimeoutMs: 200,
    slaves: [
      {
        unitId: 1,
        device: 'elec-main',
        room: 'hall',
        role: 'electricity_main',
        registers: [
          // e.g. an SDM120-like meter: input regs, float32, high word first
          {
            function: 4,
            register: 0x0156,
            type: 'float32',
            wordOrder: 'high_first',
            scale: 1,
            reading: 'electricity_kwh',
          },
          {
            function: 4,
            register: 0x000c,
            type: 'float32',
            wordOrder: 'high_first',
            scale: 1,
            reading: 'power_w',
          },
        ],
      },
      {
        unitId: 2,
        device: 'water-main',
        room: 'kitchen',
        role: 'water_main',
        registers: [
          // holding regs, u32 in 0.1 L, low word first
          {
            function: 3,
            register: 0x0010,
            type: 'u32',
            wordOrder: 'low_first',
            scale: 0.1,
            reading: 'water_l',
          },
        ],
      },
    ],
  };
}

describe('Modbus RTU driver on a real pty (socat) with a simulated slave bus', () => {
  it('reads registers, counts CRC errors and timeouts, keeps polling others, and reopens the port', async () => {
    const line = await ptyLine('modbus');
    cleanup(() => line.stop());
    const bus = await localBus();
    cleanup(() => bus.close());
    const rec = recordReadings(bus);
    const state = modbusSimState();
    setWords(state, 1, 4, 0x0156, encodeRegisters(2345.5, 'float32', 'high_first'));
    setWords(state, 1, 4, 0x000c, encodeRegisters(812.25, 'float32', 'high_first'));
    setWords(state, 2, 3, 0x0010, encodeRegisters(123456, 'u32', 'low_first'));
    let sim = await startModbusSlaveSim(line.dev, state);
    cleanup(() => sim.close());

    const driver = createModbusRtuDriver(config(line.gw), { bus, log: silentLogger, clock: systemClock });
    await driver.start();
    cleanup(() => driver.stop());

    await waitFor(() => rec.on('home/water-main/meter').length >= 1, 5000, 'first cycle');
    expect(rec.on('home/elec-main/meter')[0]).toMatchObject({ quantity: 'electricity_kwh', total: 2345.5 });
    expect(rec.on('home/elec-main/power')[0]).toMatchObject({ watts: 812.25, energyKwh: 2345.5 });
    expect(rec.on('home/water-main/meter')[0]).toMatchObject({ quantity: 'water_l', total: 12345.6 });

    // A reply with a bad CRC is counted; the next good reading still arrives.
    state.corruptReplies = 1;
    setWords(state, 2, 3, 0x0010, encodeRegisters(123466, 'u32', 'low_first'));
    await waitFor(() => rec.on('home/water-main/meter').some((m) => m.total === 12346.6), 5000, 'after CRC');
    expect(driver.health().counters.crcErrors).toBe(1);

    // Slave 1 goes silent: timeouts are counted, slave 2 is still read every cycle.
    state.silent.add(1);
    const before = rec.on('home/water-main/meter').length;
    await waitFor(() => rec.on('home/water-main/meter').length >= before + 2, 5000, 'slave 2 still read');
    expect(driver.health().counters.timeouts).toBeGreaterThanOrEqual(2);
    expect(driver.health().detail).toContain('silent: elec-main');
    state.silent.delete(1);
    await waitFor(() => driver.health().counters.silentSlaves === 0, 5000, 'slave 1 answers again');

    // The adapter is pulled and put back.
    await sim.close();
    await line.unplug();
    await waitFor(() => driver.health().state === 'down', 5000, 'driver notices the port is gone');
    await line.plugBack();
    sim = await startModbusSlaveSim(line.dev, state);
    await waitFor(() => driver.health().state === 'up', 5000, 'driver reopened');
    setWords(state, 2, 3, 0x0010, encodeRegisters(200000, 'u32', 'low_first'));
    await waitFor(() => rec.on('home/water-main/meter').some((m) => m.total === 20000), 5000, 'after reopen');
    expect(driver.health().counters.reopens).toBeGreaterThanOrEqual(1);

    await driver.stop();
    await driver.stop();
    expect(driver.health().state).toBe('down');
  });
});
