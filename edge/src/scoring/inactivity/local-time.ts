/**
 * Routines are about the wall clock of the home, not UTC. `LocalOffset` gives the offset of local time
 * from epoch ms at an instant (DST-aware by default through the system zone). Replays of logs whose
 * timestamps are zone-less local times encode them as if UTC and pass `utcAsLocal`.
 */
export type LocalOffset = (tMs: number) => number;

export const systemLocalOffset: LocalOffset = (tMs) => -new Date(tMs).getTimezoneOffset() * 60_000;
export const utcAsLocal: LocalOffset = () => 0;

const DAY_MS = 86_400_000;

export interface LocalParts {
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Whole local days since the epoch (a day counter for forgetting). */
  dayIndex: number;
}

export function localParts(tMs: number, offset: LocalOffset): LocalParts {
  const local = tMs + offset(tMs);
  const dayIndex = Math.floor(local / DAY_MS);
  const minuteOfDay = Math.floor((local - dayIndex * DAY_MS) / 60_000);
  // 1970-01-01 was a Thursday (4).
  const weekday = (((dayIndex + 4) % 7) + 7) % 7;
  return { minuteOfDay, weekday, dayIndex };
}

/** 'HH:MM' local. */
export function hhmm(tMs: number, offset: LocalOffset): string {
  const m = localParts(tMs, offset).minuteOfDay;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** '2 h 05 min' / '45 min'. */
export function durationText(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Local hour is in [startH, endH) with wrap past midnight (22 → 6). */
export function inNightWindow(minuteOfDay: number, startH: number, endH: number): boolean {
  const h = minuteOfDay / 60;
  return startH <= endH ? h >= startH && h < endH : h >= startH || h < endH;
}
