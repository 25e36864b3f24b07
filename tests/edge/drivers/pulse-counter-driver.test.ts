import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../edge/src/clock.ts';
import type { PulseCounterDriverConfig } from '../../../edge/src/drivers/pulse-counter/pulse-counter.config.ts';
import { createPulseCounterDriver } from '../../../edge/src/drivers/pulse-counter/pulse-counter.driver.ts';
import { silentLogger } from '../../../edge/src/log/logger.ts';
import { startPulseBoardSim } from '../../../tools/harness/devices/pulse-board.sim.ts';
import { waitFor } from '../../../tools/harness/net.ts';
import { localBus, ptyLine, recordReadings, useCleanups } from './pty-fixture.ts';

const cleanup = useCleanups();

function config(path: string): PulseCounterDriverConfig {
  return {
    id: 'pulse-board',
    path,
    baudRate: 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    reopenMinMs: 50,
    reopenMaxMs: 200,
    counterBits: 16,
    maxPulsesPerReport: 1000,
    silenceTimeoutMs: 1000,
    unchangedPublishMs: 60_000,
    channels: [
      {
        channel: 1,
        device: 'water-main',
        room: 'kitchen',
        role: 'water_main',
        quantity: 'water_l',
        litresPerPulse: 1,
        initialTotal: 1000,
      },
      {
        channel: 2,
        device: 'gas-main',
        room: 'kitchen',
        role: 'gas_main',
        quantity: 'gas_m3',
        litresPerPulse: 10,
        initialTotal: 50,
      },
    ],
  };
}

describe('pulse-counter driver on a real pty (socat) with a simulated board', () => {
  it('turns counts into litres and m³ through wrap, bad lines, silence and a pulled adapter', async () => {
    const line = await ptyLine('pulse');
    cleanup(() => line.stop());
    const bus = await localBus();
    cleanup(() => bus.close());
    const rec = recordReadings(bus);
    const counts = new Map([
      [1, 65_530],
      [2, 7],
    ]);
    let board = await startPulseBoardSim(line.dev, counts);
    cleanup(() => board.close());
    const driver = createPulseCounterDriver(config(line.gw), { bus, log: silentLogger, clock: systemClock });
    await driver.start();
    cleanup(() => driver.stop());
    await waitFor(() => driver.health().state === 'up', 5000, 'port open');

    const water = () => rec.on('home/water-main/meter').map((m) => m.total);
    const gas = () => rec.on('home/gas-main/meter').map((m) => m.total);

    // First report is the baseline: totals are the configured dials.
    await board.report();
    await waitFor(() => gas().length === 1, 5000, 'baseline');
    expect(water()).toEqual([1000]);
    expect(gas()).toEqual([50]);
    expect(rec.on('home/gas-main/meter')[0]).toMatchObject({ quantity: 'gas_m3' });

    // 10 water pulses across the 16-bit wrap (65 530 → 4), 3 gas pulses (30 L = 0.03 m³).
    counts.set(1, 4);
    counts.set(2, 10);
    await board.report();
    await waitFor(() => gas().length === 2, 5000, 'second report');
    expect(water()).toEqual([1000, 1010]);
    expect(gas()).toEqual([50, 50.03]);
    expect(driver.health().counters.wraps).toBe(1);

    // A damaged line and noise are counted; the next good line still arrives.
    await board.send(Buffer.from('P,1,9*00\r\n\x00\x13zz\r\n'));
    counts.set(1, 6);
    await board.report();
    await waitFor(() => water().length === 3, 5000, 'after bad line');
    expect(water()[2]).toBe(1012);
    expect(driver.health().counters).toMatchObject({ checksum: 1, format: 1 });

    // The board goes quiet: silence is counted and health says so; reports bring it back.
    await waitFor(() => (driver.health().counters.silences ?? 0) >= 1, 5000, 'silence noticed');
    expect(driver.health()).toMatchObject({ state: 'down', detail: 'board silent' });
    await board.report();
    await waitFor(() => driver.health().state === 'up', 5000, 'board back');

    // The adapter is pulled; the board keeps counting; after the reopen the pulses are not lost.
    await board.close();
    await line.unplug();
    await waitFor(
      () => (driver.health().counters.reopens ?? 0) >= 1,
      5000,
      'driver notices the port is gone',
    );
    counts.set(1, 26);
    await line.plugBack();
    board = await startPulseBoardSim(line.dev, counts);
    await waitFor(() => driver.health().detail === line.gw, 5000, 'driver reopened');
    await board.report();
    await waitFor(() => water().includes(1032), 5000, 'pulses counted while away');

    await driver.stop();
    await driver.stop();
    expect(driver.health().state).toBe('down');
  });
});
