import { PERSON_ROLES } from '../../edge/src/scoring/inactivity/index.ts';
import { mulberry32 } from '../random.ts';
import type { Activity, SensorEvent } from './dataset.reader.ts';
import { mapSensor } from './sensor.mapper.ts';

/**
 * Picks the moments of injected collapses. Choice (documented in the report): a uniformly random moment
 * at which the person is at home and awake, so the question is "would we notice if it happened now":
 * - outside the labelled Sleeping and Leaving intervals, when the home has labels;
 * - the bed mat not pressed;
 * - a person-made interior change (not the front door) within the previous `recentMin` minutes — which,
 *   for homes without labels, is what "at home and awake" can be known from.
 * From that moment the person's own sensors go silent (the replay releases any pressed seat: the fall
 * moves them off it) while periodic appliances go on.
 */
export interface InjectOptions {
  count: number;
  seed: number;
  recentMin?: number;
  /** Not later than this before the end of the log (default 0: the continuation runs past the end). */
  marginEndMs?: number;
}

export function pickCollapseTimes(events: SensorEvent[], activities: Activity[], o: InjectOptions): number[] {
  const recentMs = (o.recentMin ?? 30) * 60_000;
  const interior: number[] = [];
  const frontDoor: number[] = [];
  const bedOn: [number, number][] = [];
  let bedSince: number | undefined;
  for (const e of events) {
    const m = mapSensor(e.sensor);
    if (!m || !PERSON_ROLES.has(m.device.role as never)) continue;
    if (m.device.role === 'front_door') frontDoor.push(e.tMs);
    else interior.push(e.tMs);
    if (m.device.role === 'bed') {
      if (e.on && bedSince === undefined) bedSince = e.tMs;
      else if (!e.on && bedSince !== undefined) {
        bedOn.push([bedSince, e.tMs]);
        bedSince = undefined;
      }
    }
  }
  const first = events[0]?.tMs;
  const last = events.at(-1)?.tMs;
  if (first === undefined || last === undefined || interior.length === 0) return [];
  const excluded = activities.filter((a) => a.activity === 'Sleeping' || a.activity === 'Leaving');
  const rnd = mulberry32(o.seed);
  const out: number[] = [];
  const end = last - (o.marginEndMs ?? 0);
  for (let tries = 0; out.length < o.count && tries < o.count * 500; tries++) {
    const t = Math.floor(first + rnd() * (end - first));
    const lastInterior = lastAtOrBefore(interior, t);
    if (lastInterior === undefined || t - lastInterior > recentMs) continue;
    const lastDoor = lastAtOrBefore(frontDoor, t);
    if (lastDoor !== undefined && lastDoor > lastInterior) continue;
    if (excluded.some((a) => t >= a.startMs && t < a.endMs)) continue;
    if (bedOn.some(([a, b]) => t >= a && t < b) || (bedSince !== undefined && t >= bedSince)) continue;
    out.push(t);
  }
  return out.sort((a, b) => a - b);
}

function lastAtOrBefore(sorted: number[], t: number): number | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  let ans: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid] ?? 0;
    if (v <= t) {
      ans = v;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
