import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../edge/src/clock.ts';
import type { Zigbee2mqttDriverConfig } from '../../../edge/src/drivers/zigbee2mqtt/zigbee2mqtt.config.ts';
import { createZigbee2mqttDriver } from '../../../edge/src/drivers/zigbee2mqtt/zigbee2mqtt.driver.ts';
import { silentLogger } from '../../../edge/src/log/logger.ts';
import { waitFor } from '../../../tools/harness/net.ts';
import { localBus, recordReadings, useCleanups } from './pty-fixture.ts';

const cleanup = useCleanups();

const config: Zigbee2mqttDriverConfig = {
  id: 'z2m',
  baseTopic: 'zigbee2mqtt',
  unchangedPublishMs: 300_000,
  devices: [
    { friendlyName: 'hall_pir', device: 'pir-hall', room: 'hall', role: 'motion' },
    { friendlyName: 'front door', device: 'door-front', room: 'hall', role: 'front_door' },
    { friendlyName: 'kitchen/leak', device: 'leak-kitchen', room: 'kitchen', role: 'water_leak' },
    { friendlyName: 'kitchen/kettle', device: 'plug-kettle', room: 'kitchen', role: 'cooker' },
  ],
};

describe('zigbee2mqtt driver on the local broker, fed by a real MQTT client playing zigbee2mqtt', () => {
  it('maps occupancy, contact, leak, power and energy; counts unknown devices and bad payloads', async () => {
    const bus = await localBus();
    cleanup(() => bus.close());
    const rec = recordReadings(bus);
    const driver = createZigbee2mqttDriver(config, { bus, log: silentLogger, clock: systemClock });
    await driver.start();
    cleanup(() => driver.stop());
    const z2m = await mqtt.connectAsync(`mqtt://127.0.0.1:${bus.port}`, { clientId: 'zigbee2mqtt' });
    cleanup(() => z2m.endAsync());
    const send = (name: string, payload: unknown) =>
      z2m.publishAsync(
        `zigbee2mqtt/${name}`,
        typeof payload === 'string' ? payload : JSON.stringify(payload),
        {
          qos: 1,
        },
      );

    await send('hall_pir', { occupancy: true, battery: 90, linkquality: 150 });
    await send('front door', { contact: false, battery: 80, linkquality: 90 });
    await send('kitchen/leak', { water_leak: false, battery: 100 });
    await send('kitchen/kettle', { power: 1850, energy: 3.21, state: 'ON', linkquality: 60 });
    await waitFor(() => rec.on('home/plug-kettle/meter').length === 1, 5000, 'plug reading');
    expect(rec.on('home/pir-hall/motion')).toMatchObject([{ occupied: true }]);
    expect(rec.on('home/pir-hall/battery')).toMatchObject([{ percent: 90 }]);
    expect(rec.on('home/door-front/contact')).toMatchObject([{ open: true }]);
    expect(rec.on('home/leak-kitchen/water_leak')).toMatchObject([{ leak: false }]);
    expect(rec.on('home/plug-kettle/power')).toMatchObject([{ watts: 1850, energyKwh: 3.21 }]);
    expect(rec.on('home/plug-kettle/meter')).toMatchObject([{ quantity: 'electricity_kwh', total: 3.21 }]);

    // Bad payloads and strangers: counted, never thrown; the next good message still maps.
    await send('hall_pir', 'not json');
    await send('hall_pir', [1, 2, 3]);
    await send('front door', { contact: 'open' });
    await send('garage_pir', { occupancy: true });
    await send('bridge/state', { state: 'online' });
    await send('hall_pir/availability', { state: 'offline' });
    // The door closes; a battery-only refresh repeats the closed state and is not a new contact event.
    await send('front door', { contact: true, battery: 79 });
    await send('front door', { contact: true, battery: 78 });
    await send('hall_pir', { occupancy: false });
    await waitFor(() => rec.on('home/pir-hall/motion').length === 2, 5000, 'after bad payloads');
    expect(rec.on('home/door-front/contact')).toMatchObject([{ open: true }, { open: false }]);
    expect(rec.on('home/door-front/battery')).toHaveLength(3);
    expect(driver.health()).toMatchObject({
      state: 'up',
      detail: 'offline: pir-hall',
      counters: { malformed: 2, badFields: 1, unknownDevices: 1, minLinkquality: 60 },
    });

    await driver.stop();
    await driver.stop();
    await send('hall_pir', { occupancy: true });
    // Proof the stopped driver was sent it: a second driver (hall_pir → pir-hall-2) started after it maps the
    // next message from the same sender; the broker delivers in order, so the first had arrived before.
    const second = createZigbee2mqttDriver(
      {
        ...config,
        id: 'z2m-2',
        devices: [{ friendlyName: 'hall_pir', device: 'pir-hall-2', room: 'hall', role: 'motion' }],
      },
      { bus, log: silentLogger, clock: systemClock },
    );
    await second.start();
    cleanup(() => second.stop());
    await send('hall_pir', { occupancy: true });
    await waitFor(() => rec.on('home/pir-hall-2/motion').length === 1, 5000, 'the second driver mapping');
    expect(rec.on('home/pir-hall/motion')).toHaveLength(2);
    expect(driver.health().state).toBe('down');
  });
});
