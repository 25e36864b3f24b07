import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../edge/src/clock.ts';
import type { Dlt645DriverConfig } from '../../../edge/src/drivers/dlt645/dlt645.config.ts';
import { createDlt645Driver } from '../../../edge/src/drivers/dlt645/dlt645.driver.ts';
import { silentLogger } from '../../../edge/src/log/logger.ts';
import { dlt645SimState, startDlt645MeterSim } from '../../../tools/harness/devices/dlt645-meter.sim.ts';
import { waitFor } from '../../../tools/harness/net.ts';
import { localBus, ptyLine, recordReadings, useCleanups } from './pty-fixture.ts';

const cleanup = useCleanups();

const MAIN = '202312345678';
const FLAT2 = '000000000042';

function config(path: string): Dlt645DriverConfig {
  return {
    id: 'meters',
    path,
    baudRate: 2400,
    dataBits: 8,
    parity: 'even',
    stopBits: 1,
    reopenMinMs: 50,
    reopenMaxMs: 200,
    pollIntervalMs: 1000,
    responseTimeoutMs: 200,
    meters: [
      { address: MAIN, device: 'elec-main', room: 'hall', role: 'electricity_main' },
      { address: FLAT2, device: 'elec-annex', room: 'annex', role: 'electricity_main' },
    ],
  };
}

describe('DL/T 645-2007 driver on a real pty (socat) with a simulated meter bus', () => {
  it('reads energy and power, survives bad frames, a silent meter, and the adapter being pulled', async () => {
    const line = await ptyLine('dlt645');
    cleanup(() => line.stop());
    const bus = await localBus();
    cleanup(() => bus.close());
    const rec = recordReadings(bus);
    const state = dlt645SimState({
      [MAIN]: { energyKwh: 12345.67, powerW: 1234.5 },
      [FLAT2]: { energyKwh: 10.5, powerW: -80 },
    });
    state.noiseBeforeReply = Buffer.from([0x00, 0x68, 0xfe]);
    let sim = await startDlt645MeterSim(line.dev, state);
    cleanup(() => sim.close());

    const driver = createDlt645Driver(config(line.gw), { bus, log: silentLogger, clock: systemClock });
    await driver.start();
    cleanup(() => driver.stop());

    // Good readings from both meters (line noise and a stray 68H before each reply are skipped).
    await waitFor(() => rec.on('home/elec-annex/power').length >= 1, 5000, 'first cycle');
    expect(rec.on('home/elec-main/meter')[0]).toMatchObject({ quantity: 'electricity_kwh', total: 12345.67 });
    expect(rec.on('home/elec-main/power')[0]).toMatchObject({ watts: 1234.5, energyKwh: 12345.67 });
    expect(rec.on('home/elec-annex/power')[0]).toMatchObject({ watts: 80, energyKwh: 10.5 });

    // A reply with a broken checksum is counted and costs one timeout; the next cycle reads again.
    state.corruptReplies = 1;
    state.meters.set(MAIN, { energyKwh: 12346, powerW: 2000 });
    await waitFor(
      () => rec.on('home/elec-main/power').some((p) => p.watts === 2000),
      5000,
      'after bad frame',
    );
    expect(driver.health().counters.checksum).toBeGreaterThanOrEqual(1);

    // The main meter goes silent: timeouts are counted, the annex meter is still read every cycle.
    state.silent.add(MAIN);
    const annexBefore = rec.on('home/elec-annex/meter').length;
    await waitFor(() => rec.on('home/elec-annex/meter').length >= annexBefore + 2, 5000, 'annex still read');
    expect(driver.health().counters.timeouts).toBeGreaterThanOrEqual(2);
    expect(driver.health().detail).toContain('silent: elec-main');
    state.silent.delete(MAIN);
    await waitFor(() => driver.health().counters.silentMeters === 0, 5000, 'main answers again');

    // The adapter is pulled and put back: the driver notices, reopens, and polls again.
    await sim.close();
    await line.unplug();
    await waitFor(() => driver.health().state === 'down', 5000, 'driver notices the port is gone');
    await line.plugBack();
    sim = await startDlt645MeterSim(line.dev, state);
    await waitFor(() => driver.health().state === 'up', 5000, 'driver reopened');
    state.meters.set(FLAT2, { energyKwh: 11, powerW: 10 });
    await waitFor(() => rec.on('home/elec-annex/meter').some((m) => m.total === 11), 5000, 'after reopen');
    expect(driver.health().counters.reopens).toBeGreaterThanOrEqual(1);

    await driver.stop();
    await driver.stop(); // idempotent
    expect(driver.health().state).toBe('down');
  });
});
