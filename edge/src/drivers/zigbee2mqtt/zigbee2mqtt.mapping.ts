/**
 * zigbee2mqtt state messages → our reading fields (pure). z2m publishes `<base_topic>/<friendly_name>`
 * with the device's whole state as JSON; property names follow its "exposes"
 * (https://www.zigbee2mqtt.io/guide/usage/exposes.html):
 *
 *   occupancy  bool   PIR / occupancy sensors                     → motion   { occupied }
 *   presence   bool   mmWave presence sensors                     → motion   { occupied }
 *   contact    bool   door/window sensors; TRUE = CLOSED (magnet near) → contact { open: !contact }
 *   water_leak bool   leak sensors                                → water_leak { leak }
 *   power      W      smart plugs                                 → power    { watts, energyKwh? }
 *   energy     kWh    smart plugs (cumulative)                    → meter    { electricity_kwh total }
 *   battery    %      battery devices                             → battery  { percent }
 *   linkquality 0-255 radio link; kept for health, not a reading
 */

export type Z2mField =
  | { metric: 'motion'; occupied: boolean }
  | { metric: 'contact'; open: boolean }
  | { metric: 'water_leak'; leak: boolean }
  | { metric: 'power'; watts: number; energyKwh?: number }
  | { metric: 'meter'; energyKwh: number }
  | { metric: 'battery'; percent: number };

export interface Z2mMapped {
  fields: Z2mField[];
  /** Properties we know but whose value had the wrong type or range (skipped, the rest still mapped). */
  badFields: string[];
  linkquality?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Maps one state message; 'malformed' when it is not a JSON object at all. */
export function mapZ2mState(payload: unknown): Z2mMapped | 'malformed' {
  if (!isObject(payload)) return 'malformed';
  const out: Z2mMapped = { fields: [], badFields: [] };
  const bool = (key: string, make: (v: boolean) => Z2mField) => {
    if (!(key in payload) || payload[key] === null) return; // z2m sends null for not-yet-known values
    const v = payload[key];
    if (typeof v === 'boolean') out.fields.push(make(v));
    else out.badFields.push(key);
  };
  bool('occupancy', (v) => ({ metric: 'motion', occupied: v }));
  if (!('occupancy' in payload)) bool('presence', (v) => ({ metric: 'motion', occupied: v }));
  bool('contact', (v) => ({ metric: 'contact', open: !v }));
  bool('water_leak', (v) => ({ metric: 'water_leak', leak: v }));

  const energy = payload.energy;
  const energyOk = isCount(energy);
  if (energy !== undefined && energy !== null && !energyOk) out.badFields.push('energy');
  const power = payload.power;
  if (power !== undefined && power !== null) {
    if (isCount(power))
      out.fields.push(
        energyOk ? { metric: 'power', watts: power, energyKwh: energy } : { metric: 'power', watts: power },
      );
    else out.badFields.push('power');
  }
  if (energyOk) out.fields.push({ metric: 'meter', energyKwh: energy });

  const battery = payload.battery;
  if (battery !== undefined && battery !== null) {
    if (isCount(battery) && battery <= 100) out.fields.push({ metric: 'battery', percent: battery });
    else out.badFields.push('battery');
  }
  if (isCount(payload.linkquality)) out.linkquality = payload.linkquality;
  return out;
}
