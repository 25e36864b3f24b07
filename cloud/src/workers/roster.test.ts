import { describe, expect, it } from 'vitest';
import { localClock, onDuty, quietUntil, shiftCovers } from './roster.ts';

const TZ = 'Asia/Shanghai';
// Tuesday 2024-05-07 03:00 in Shanghai = Monday 19:00 UTC.
const tue0300 = new Date('2024-05-06T19:00:00Z');

describe('roster', () => {
  it('reads the local weekday and minute in the configured zone', () => {
    expect(localClock(tue0300, TZ)).toEqual({ weekday: 2, minute: 180 });
    expect(localClock(tue0300, 'UTC')).toEqual({ weekday: 1, minute: 19 * 60 });
  });

  it('counts a Monday night shift 22:00–06:00 as covering Tuesday 03:00', () => {
    expect(shiftCovers({ weekdays: [1], start: '22:00', end: '06:00' }, { weekday: 2, minute: 180 })).toBe(
      true,
    );
    expect(shiftCovers({ weekdays: [2], start: '22:00', end: '06:00' }, { weekday: 2, minute: 180 })).toBe(
      false,
    );
    expect(shiftCovers({ weekdays: [7], start: '22:00', end: '06:00' }, { weekday: 1, minute: 60 })).toBe(
      true,
    );
  });

  it('treats a day shift as start inclusive, end exclusive', () => {
    const day = { weekdays: [2], start: '08:00', end: '20:00' };
    expect(shiftCovers(day, { weekday: 2, minute: 480 })).toBe(true);
    expect(shiftCovers(day, { weekday: 2, minute: 1200 })).toBe(false);
    expect(onDuty([day], tue0300, TZ)).toBe(false);
  });

  it('holds a text in quiet hours until they end, and not outside them', () => {
    expect(quietUntil({ start: '22:00', end: '07:00' }, tue0300, TZ)?.toISOString()).toBe(
      '2024-05-06T23:00:00.000Z',
    );
    expect(
      quietUntil({ start: '22:00', end: '07:00' }, new Date('2024-05-07T04:00:00Z'), TZ),
    ).toBeUndefined();
    expect(quietUntil(null, tue0300, TZ)).toBeUndefined();
  });
});
