import { describe, expect, it } from 'vitest';
import { parseSurveyReply } from './survey-reply.parser.ts';

describe('parseSurveyReply', () => {
  it.each([
    ['1', 1],
    [' 5 ', 5],
    ['５', 5],
    ['3分', 3],
    ['4 星', 4],
    ['五', 5],
    ['两分', 2],
    ['4 stars', 4],
    ['5/5', 5],
    ['2!', 2],
    ['３。', 3],
  ])('%j is the score %i', (text, score) => {
    expect(parseSurveyReply(text)).toEqual({ kind: 'score', score });
  });

  it('takes the case reference after the score', () => {
    expect(parseSurveyReply('4 ab12cd34')).toEqual({ kind: 'score', score: 4, caseRef: 'AB12CD34' });
    expect(parseSurveyReply('五分，AB12CD34')).toEqual({ kind: 'score', score: 5, caseRef: 'AB12CD34' });
  });

  it.each(['社工来得太慢了', 'nobody came for an hour', '很好，谢谢'])('%j is words', (text) => {
    expect(parseSurveyReply(text)).toEqual({ kind: 'words', text });
  });

  it.each(['6', '0', '10', '3.5', '?', '', '1234', '1 2', '好', 'OK', '谢谢！', 'Thank you', '☆☆☆'])(
    '%j is garbled',
    (text) => {
      expect(parseSurveyReply(text)).toEqual({ kind: 'garbled' });
    },
  );
});
