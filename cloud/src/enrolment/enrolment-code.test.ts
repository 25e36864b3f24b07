import { describe, expect, it } from 'vitest';
import { generateEnrolmentCode, hashEnrolmentCode, normalizeEnrolmentCode } from './enrolment-code.ts';

describe('enrolment codes', () => {
  it('are 12 Crockford base32 characters in three groups, and differ each time', () => {
    const codes = new Set(Array.from({ length: 1000 }, generateEnrolmentCode));
    expect(codes.size).toBe(1000);
    for (const c of codes)
      expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('read the same whatever the case, spacing and dashes, with O as 0 and I/L as 1', () => {
    expect(normalizeEnrolmentCode('7kqm-4xpd-2rjc')).toBe('7KQM4XPD2RJC');
    expect(normalizeEnrolmentCode(' 7KQM 4XPD 2RJC ')).toBe('7KQM4XPD2RJC');
    expect(normalizeEnrolmentCode('O1LI-0000-0000')).toBe('011100000000');
  });

  it('refuse what cannot be a code: wrong length or a letter outside the alphabet', () => {
    expect(normalizeEnrolmentCode('7KQM-4XPD')).toBeUndefined();
    expect(normalizeEnrolmentCode('7KQM-4XPD-2RJCC')).toBeUndefined();
    expect(normalizeEnrolmentCode('7KQM-4XPD-2RJU')).toBeUndefined();
    expect(normalizeEnrolmentCode('')).toBeUndefined();
  });

  it('are stored as a SHA-256 hex digest that does not contain the code', () => {
    const h = hashEnrolmentCode('7KQM4XPD2RJC');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).toBe(hashEnrolmentCode(normalizeEnrolmentCode('7kqm 4xpd 2rjc')!));
    expect(h).not.toBe(hashEnrolmentCode('7KQM4XPD2RJD'));
  });
});
