import type { HomeLog } from './dataset.reader.ts';
import { mapSensor } from './sensor.mapper.ts';

/**
 * The same home with a kind of sensor taken out: no motion sensors, or no pressure mats. Why: the scorer
 * must work in homes it has not met, equipped otherwise (the hidden homes raised most of their false
 * alarms where sleep or sitting was invisible). An ablated copy of a *tuning* home lets a leave-one-home-out
 * fold see what a choice does in such a home; it is never a copy of the held-out home, and it is not an
 * independent home (the same person, the same days), so its figures are reported apart.
 */
const KINDS: { suffix: string; roles: ReadonlySet<string> }[] = [
  { suffix: 'no-motion', roles: new Set(['motion']) },
  { suffix: 'no-mats', roles: new Set(['bed', 'seat']) },
];

export function ablations(log: HomeLog): HomeLog[] {
  const out: HomeLog[] = [];
  for (const k of KINDS) {
    const removed = (sensor: string) => k.roles.has(mapSensor(sensor)?.device.role ?? '');
    const events = log.events.filter((e) => !removed(e.sensor));
    if (events.length === log.events.length) continue;
    const left = new Set(events.map((e) => e.sensor));
    if (left.size < 2) continue;
    out.push({ home: `${log.home}-${k.suffix}`, events, activities: log.activities });
  }
  return out;
}
