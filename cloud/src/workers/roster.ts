import { dateTimeFormat } from '../clock.ts';
import type { Shift } from './workers.schemas.ts';

/** Local ISO weekday (1 = Monday) and minute of the day of `at` in `timeZone`. */
export function localClock(at: Date, timeZone: string): { weekday: number; minute: number } {
  const parts = dateTimeFormat({
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const p = (t: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === t)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p('weekday')) + 1;
  return { weekday, minute: Number(p('hour')) * 60 + Number(p('minute')) };
}

export const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether a shift covers the local moment. A shift that ends at or before it starts runs overnight: the
 * Monday 22:00–06:00 shift covers Tuesday 03:00.
 */
export function shiftCovers(shift: Shift, at: { weekday: number; minute: number }): boolean {
  const start = minuteOf(shift.start);
  const end = minuteOf(shift.end);
  if (end > start) return shift.weekdays.includes(at.weekday) && at.minute >= start && at.minute < end;
  const yesterday = at.weekday === 1 ? 7 : at.weekday - 1;
  return (
    (shift.weekdays.includes(at.weekday) && at.minute >= start) ||
    (shift.weekdays.includes(yesterday) && at.minute < end)
  );
}

export const onDuty = (shifts: readonly Shift[], at: Date, timeZone: string) => {
  const local = localClock(at, timeZone);
  return shifts.some((s) => shiftCovers(s, local));
};

/** Whether `at` falls in quiet hours [start, end) (may wrap midnight); the end of them, if so. */
export function quietUntil(
  quiet: { start: string; end: string } | null,
  at: Date,
  timeZone: string,
): Date | undefined {
  if (!quiet) return undefined;
  const { minute } = localClock(at, timeZone);
  const start = minuteOf(quiet.start);
  const end = minuteOf(quiet.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  const wait = (end - minute + 24 * 60) % (24 * 60);
  const until = new Date(at.getTime() + wait * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}
