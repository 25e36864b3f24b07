import { describe, expect, it } from 'vitest';
import { phoneKeys } from './phone-match.ts';

describe('phoneKeys', () => {
  it('matches mainland numbers with and without the country code', () => {
    expect(phoneKeys('13800000001').sort()).toEqual(['13800000001', '8613800000001']);
    expect(phoneKeys('+86 138-0000-0001').sort()).toEqual(['13800000001', '8613800000001']);
    expect(phoneKeys('008613800000001').sort()).toEqual(['13800000001', '8613800000001']);
  });

  it('keeps other numbers as their digits', () => {
    expect(phoneKeys('+14155550100')).toEqual(['14155550100']);
  });
});
