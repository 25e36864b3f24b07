import type { TSchema } from '@sinclair/typebox';
import { Dlt645DriverConfigSchema } from './dlt645/dlt645.config.ts';
import { createDlt645Driver } from './dlt645/dlt645.driver.ts';
import type { DriverFactory } from './driver.ts';
import { ModbusRtuDriverConfigSchema } from './modbus-rtu/modbus-rtu.config.ts';
import { createModbusRtuDriver } from './modbus-rtu/modbus-rtu.driver.ts';
import { PulseCounterDriverConfigSchema } from './pulse-counter/pulse-counter.config.ts';
import { createPulseCounterDriver } from './pulse-counter/pulse-counter.driver.ts';
import { createWristbandDriver } from './wristband/wristband.driver.ts';
import { Zigbee2mqttDriverConfigSchema } from './zigbee2mqtt/zigbee2mqtt.config.ts';
import { createZigbee2mqttDriver } from './zigbee2mqtt/zigbee2mqtt.driver.ts';

/** Drivers by the type name the gateway config uses (an explicit, readable list; no discovery). */
export const drivers = {
  wristband: createWristbandDriver,
  zigbee2mqtt: createZigbee2mqttDriver,
  'modbus-rtu': createModbusRtuDriver,
  dlt645: createDlt645Driver,
  'pulse-counter': createPulseCounterDriver,
} satisfies Record<string, DriverFactory<never>>;

/** Config schema of each home-sensor and meter driver type (the wristband's lives in the gateway config). */
export const driverConfigSchemas = {
  zigbee2mqtt: Zigbee2mqttDriverConfigSchema,
  'modbus-rtu': ModbusRtuDriverConfigSchema,
  dlt645: Dlt645DriverConfigSchema,
  'pulse-counter': PulseCounterDriverConfigSchema,
} satisfies Partial<Record<keyof typeof drivers, TSchema>>;
