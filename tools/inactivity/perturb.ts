import type { HomeLog, SensorEvent } from './dataset.reader.ts';
import { mapSensor } from './sensor.mapper.ts';

/**
 * The same home with motion sensors of another make: each PIR holds "on" for `holdMin` longer after the last
 * motion (many zigbee PIRs report "clear" only 1–10 min after it). Why: the hidden homes raised most of their
 * false alarms "while out"; with PIRs that clear late, a living-room PIR clearing minutes after the person
 * left is the first change after the entrance door. Overlapping holds of one sensor merge (it never cleared
 * in between). Labels are kept. Not an independent home: reported apart, as the ablated copies.
 */
export function slowPirs(log: HomeLog, holdMin = 10): HomeLog | undefined {
  const hold = holdMin * 60_000;
  const isPir = (s: string) => mapSensor(s)?.device.role === 'motion';
  if (!log.events.some((e) => isPir(e.sensor))) return undefined;
  const out: SensorEvent[] = log.events.filter((e) => !isPir(e.sensor));
  const bySensor = new Map<string, SensorEvent[]>();
  for (const e of log.events)
    if (isPir(e.sensor)) bySensor.set(e.sensor, [...(bySensor.get(e.sensor) ?? []), e]);
  for (const [sensor, events] of bySensor) {
    // Intervals [on, off + hold], merged when the next "on" comes before the delayed "off".
    let start: number | null = null;
    let end: number | null = null;
    for (const e of events) {
      if (e.on) {
        if (start === null) start = e.tMs;
        else if (end !== null && e.tMs > end) {
          out.push({ tMs: start, sensor, on: true }, { tMs: end, sensor, on: false });
          start = e.tMs;
        }
        end = null;
      } else if (start !== null) end = e.tMs + hold;
    }
    if (start !== null) out.push({ tMs: start, sensor, on: true });
    if (start !== null && end !== null) out.push({ tMs: end, sensor, on: false });
  }
  out.sort((a, b) => a.tMs - b.tMs);
  return { home: `${log.home}-slow-pir`, events: out, activities: log.activities };
}
