import { Type } from '@sinclair/typebox';

/** A device id: the `<device>` in `home/<device>/<metric>`; MQTT-safe (no `/`, `+`, `#`). */
export const DeviceId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'device id: the <device> in home/<device>/<metric>',
});

/**
 * What every home sensor or meter carries in the config. Readings do not repeat `room` and `role`: the
 * inactivity scorer and the safety rules read them from the config (see edge/src/bus/readings.ts).
 */
export const DeviceMeta = {
  device: DeviceId,
  room: Type.String({ minLength: 1, maxLength: 64, description: 'e.g. kitchen, bedroom, hall' }),
  role: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'e.g. front_door, motion, bed, toilet_flush, cooker, water_main, electricity_main, gas_main',
  }),
};
