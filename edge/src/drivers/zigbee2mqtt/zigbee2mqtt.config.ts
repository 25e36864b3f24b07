import { type Static, Type } from '@sinclair/typebox';
import { DeviceId, DeviceMeta } from '../device-meta.config.ts';

/** A zigbee2mqtt device the gateway listens to, by its z2m friendly name. */
export const Zigbee2mqttDeviceSchema = Type.Object(
  {
    /** The friendly name in zigbee2mqtt's configuration.yaml (may contain `/`, e.g. `kitchen/pir`). */
    friendlyName: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^#+]+$' }),
    ...DeviceMeta,
  },
  { additionalProperties: false },
);
export type Zigbee2mqttDeviceConfig = Static<typeof Zigbee2mqttDeviceSchema>;

/**
 * Config of a `zigbee2mqtt` driver: zigbee2mqtt runs beside the gateway and publishes to the gateway's
 * local broker (its `mqtt.server` points at it); the driver maps the listed devices' state messages to
 * readings.
 */
export const Zigbee2mqttDriverConfigSchema = Type.Object(
  {
    /** Driver id, for logs and health. */
    id: Type.Optional(DeviceId),
    /** zigbee2mqtt's `mqtt.base_topic`. No wildcards, no trailing `/`. */
    baseTopic: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[^#+]*[^#+/]$',
      default: 'zigbee2mqtt',
    }),
    /**
     * An unchanged contact, water-leak or vacancy state is published again after this long (z2m repeats
     * the whole state whenever any attribute, e.g. battery, changes; those repeats are not new events).
     */
    unchangedPublishMs: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 300_000 }),
    devices: Type.Array(Zigbee2mqttDeviceSchema, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type Zigbee2mqttDriverConfig = Static<typeof Zigbee2mqttDriverConfigSchema>;
