import { describe, expect, it } from 'vitest';
import { parseReply, quotedCaseRef } from './reply-parser.ts';

describe('parseReply', () => {
  it.each([
    '1',
    ' 1 ',
    '１',
    'OK',
    'ok',
    'Ok',
    'ＯＫ',
    '好',
    '收到',
    '确认',
    '收到。',
    'OK!',
    '确认！',
    '\u30001\u3000',
  ])('%j acknowledges', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'ack' });
  });

  it('takes an optional case reference after the word', () => {
    expect(parseReply('1 ab12cd34')).toEqual({ kind: 'ack', caseRef: 'AB12CD34' });
    expect(parseReply('收到，AB12CD34')).toEqual({ kind: 'ack', caseRef: 'AB12CD34' });
  });

  it.each(['', '2', '11', 'okay', 'not ok', '好的吗', '不好', 'STOP', '1 please', '请回电'])(
    '%j is not understood',
    (text) => {
      expect(parseReply(text)).toEqual({ kind: 'other' });
    },
  );
});

describe('quotedCaseRef', () => {
  it('finds the reference at the end of any reply', () => {
    expect(quotedCaseRef('4 ab12cd34')).toBe('AB12CD34');
    expect(quotedCaseRef('收到，AB12CD34。')).toBe('AB12CD34');
    expect(quotedCaseRef('1')).toBeUndefined();
    expect(quotedCaseRef('ab12cd34')).toBeUndefined(); // a bare reference is no answer to anything
  });
});
