import { deviceBindings } from '../agent/home-pipeline.ts';

/** Sensors (zigbee2mqtt) and meters (every other home driver) in the gateway's `devices` config. */
export function supervisedDevices(entries: readonly { type: string }[]): {
  sensors: string[];
  meters: string[];
} {
  const sensors: string[] = [];
  const meters: string[] = [];
  for (const entry of entries) {
    const ids = deviceBindings([entry]).map((b) => b.id);
    (entry.type === 'zigbee2mqtt' ? sensors : meters).push(...ids);
  }
  return { sensors: [...new Set(sensors)], meters: [...new Set(meters)] };
}
