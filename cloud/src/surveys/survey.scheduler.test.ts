import { describe, expect, it } from 'vitest';
import { Case } from '../cases/cases.schemas.ts';
import { deservesSurvey } from './survey.scheduler.ts';
import { renderSurveyAnswer, renderSurveyPrompt } from './survey.templates.ts';

const kase = (over: Record<string, unknown> = {}) => ({ ...Case.examples[0], ...over });

describe('which finished cases get a survey', () => {
  it.each([
    ['closed', {}, true],
    ['false_alarm', { onSiteAt: '2024-05-06T19:20:00.000Z' }, true],
    ['false_alarm', { onSiteAt: null }, false],
    ['cancelled', { onSiteAt: '2024-05-06T19:20:00.000Z' }, false],
    ['resolved', {}, false],
    ['closed', { test: true }, false],
  ] as const)('%s %j → %s', (to, over, expected) => {
    expect(deservesSurvey({ to, case: kase(over) })).toBe(expected);
  });
});

describe('survey texts', () => {
  it('name the resident and the case, never an address, in zh-CN and en', () => {
    const input = {
      kind: 'fall',
      residentName: '王奶奶',
      caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
    } as const;
    expect(renderSurveyPrompt({ ...input, language: 'zh-CN' })).toBe(
      '【安居】王奶奶的跌倒求助已处理完毕（编号0B9C8F7E）。请为本次服务打分：回复1-5（5=非常满意），有意见也可直接回复文字。',
    );
    expect(renderSurveyPrompt({ ...input, language: 'en' })).toContain(
      'The fall alert for 王奶奶 has been closed (Ref 0B9C8F7E)',
    );
  });

  it('answer in the sender language, and the help text in both', () => {
    expect(renderSurveyAnswer('en', { kind: 'scored', score: 2, complaint: true })).toContain('sorry');
    expect(renderSurveyAnswer('zh-CN', { kind: 'late' })).toContain('以第一次的评分为准');
    const help = renderSurveyAnswer('en', { kind: 'help' });
    expect(help).toContain('请回复1-5');
    expect(help).toContain('Please reply with a number 1-5');
  });
});
