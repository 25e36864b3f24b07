import { homeTopics } from '../../../../contracts/src/index.ts';
import {
  type AvailabilityReading,
  type BatteryReading,
  type ContactReading,
  homeReadingTopics,
  type MeterReading,
  type MotionReading,
  type PowerReading,
  type WaterLeakReading,
} from '../../bus/readings.ts';
import type { DriverDeps, DriverFactory, DriverHealth } from '../driver.ts';
import type { Zigbee2mqttDeviceConfig, Zigbee2mqttDriverConfig } from './zigbee2mqtt.config.ts';
import { mapZ2mState, type Z2mField } from './zigbee2mqtt.mapping.ts';

/** Sub-topics z2m and its users publish under a device's topic; none is a state message. */
const DEVICE_SUBTOPICS = ['/availability', '/set', '/get'] as const;
/** Unknown friendly names logged once each, up to this many (a noisy network must not flood the log). */
const MAX_LOGGED_UNKNOWN = 50;

/**
 * Maps zigbee2mqtt state messages on the gateway's local broker to readings, for the devices listed in
 * the config. Unknown devices and malformed payloads are counted and logged, never thrown.
 */
export const createZigbee2mqttDriver: DriverFactory<Zigbee2mqttDriverConfig> = (
  config,
  { bus, log, clock }: DriverDeps,
) => {
  const id = config.id ?? 'zigbee2mqtt';
  const dlog = log.child({ component: 'driver', driverId: id });
  const prefix = `${config.baseTopic}/`;
  const devices = new Map(config.devices.map((d) => [d.friendlyName, d]));
  const counters = { messages: 0, readings: 0, unknownDevices: 0, malformed: 0, badFields: 0 };
  const loggedUnknown = new Set<string>();
  const offline = new Set<string>();
  const linkquality = new Map<string, number>();
  /** device/metric → last published boolean state and when. */
  const lastState = new Map<string, { value: boolean; atMs: number }>();
  let unsubscribe: (() => void) | undefined;

  /** Booleans from a full-state message are published on change, or again after unchangedPublishMs. */
  const stateDue = (device: string, metric: string, value: boolean, now: number): boolean => {
    const key = `${device}/${metric}`;
    const last = lastState.get(key);
    if (last && last.value === value && now - last.atMs < config.unchangedPublishMs) return false;
    lastState.set(key, { value, atMs: now });
    return true;
  };

  const publishField = (d: Zigbee2mqttDeviceConfig, f: Z2mField, tMs: number): boolean => {
    const dev = d.device;
    switch (f.metric) {
      case 'motion':
        // z2m repeats occupancy: true on each new detection, which is activity: always published.
        if (!f.occupied && !stateDue(dev, 'motion', false, tMs)) return false;
        if (f.occupied) lastState.set(`${dev}/motion`, { value: true, atMs: tMs });
        bus.publish(homeReadingTopics.motion(dev), { tMs, occupied: f.occupied } satisfies MotionReading);
        return true;
      case 'contact':
        if (!stateDue(dev, 'contact', f.open, tMs)) return false;
        bus.publish(homeReadingTopics.contact(dev), { tMs, open: f.open } satisfies ContactReading);
        return true;
      case 'water_leak':
        if (!stateDue(dev, 'water_leak', f.leak, tMs)) return false;
        bus.publish(homeReadingTopics.waterLeak(dev), { tMs, leak: f.leak } satisfies WaterLeakReading);
        return true;
      case 'power': {
        const p: PowerReading = { tMs, watts: f.watts };
        if (f.energyKwh !== undefined) p.energyKwh = f.energyKwh;
        bus.publish(homeReadingTopics.power(dev), p);
        return true;
      }
      case 'meter':
        bus.publish(homeReadingTopics.meter(dev), {
          tMs,
          quantity: 'electricity_kwh',
          total: f.energyKwh,
        } satisfies MeterReading);
        return true;
      case 'battery':
        bus.publish(homeTopics.battery(dev), { tMs, percent: f.percent } satisfies BatteryReading);
        return true;
    }
  };

  const onState = (d: Zigbee2mqttDeviceConfig, payload: unknown) => {
    const mapped = mapZ2mState(payload);
    if (mapped === 'malformed') {
      counters.malformed++;
      dlog.warn({ friendlyName: d.friendlyName }, 'malformed zigbee2mqtt payload');
      return;
    }
    if (mapped.badFields.length) {
      counters.badFields += mapped.badFields.length;
      dlog.warn({ friendlyName: d.friendlyName, fields: mapped.badFields }, 'zigbee2mqtt fields skipped');
    }
    if (mapped.linkquality !== undefined) linkquality.set(d.device, mapped.linkquality);
    const tMs = clock.now();
    for (const f of mapped.fields) if (publishField(d, f, tMs)) counters.readings++;
  };

  const onMessage = (topic: string, payload: unknown, raw: Buffer | string) => {
    if (!topic.startsWith(prefix)) return;
    const rest = topic.slice(prefix.length);
    if (rest === 'bridge' || rest.startsWith('bridge/')) return; // z2m's own state, logs, requests
    counters.messages++;
    const d = devices.get(rest);
    if (d) {
      onState(d, payload);
      return;
    }
    for (const sub of DEVICE_SUBTOPICS) {
      if (!rest.endsWith(sub)) continue;
      const owner = devices.get(rest.slice(0, -sub.length));
      if (!owner) break;
      if (sub === '/availability') {
        // z2m ≥ 1.x sends {"state":"online"|"offline"}; older versions (legacy_availability_payload) a
        // bare string, which is not JSON: read from the raw bytes.
        const state = (payload as { state?: unknown } | undefined)?.state ?? String(raw).trim();
        if (state !== 'offline' && state !== 'online') {
          counters.malformed++;
          return;
        }
        if (state === 'offline') offline.add(owner.device);
        else offline.delete(owner.device);
        bus.publish(homeReadingTopics.availability(owner.device), {
          tMs: clock.now(),
          online: state === 'online',
        } satisfies AvailabilityReading);
      }
      return;
    }
    counters.unknownDevices++;
    if (!loggedUnknown.has(rest) && loggedUnknown.size < MAX_LOGGED_UNKNOWN) {
      loggedUnknown.add(rest);
      dlog.info({ friendlyName: rest }, 'zigbee2mqtt device not in the gateway config; ignored');
    }
  };

  return {
    id,
    async start() {
      if (unsubscribe) return;
      unsubscribe = bus.subscribe(`${config.baseTopic}/#`, onMessage);
      dlog.info({ baseTopic: config.baseTopic, devices: devices.size }, 'listening to zigbee2mqtt');
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    health(): DriverHealth {
      const lq = [...linkquality.values()];
      return {
        state: unsubscribe ? 'up' : 'down',
        detail: offline.size ? `offline: ${[...offline].join(',')}` : config.baseTopic,
        counters: {
          ...counters,
          offlineDevices: offline.size,
          ...(lq.length ? { minLinkquality: Math.min(...lq) } : {}),
        },
      };
    },
  };
};
