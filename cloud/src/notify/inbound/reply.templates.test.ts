import { describe, expect, it } from 'vitest';
import { renderReply } from './reply.templates.ts';

describe('renderReply', () => {
  it('speaks zh-CN and en, with the case reference and nothing personal', () => {
    expect(renderReply('zh-CN', { kind: 'acknowledged', caseRef: 'AB12CD34' })).toContain('编号AB12CD34');
    expect(renderReply('en', { kind: 'acknowledged', caseRef: 'AB12CD34' })).toContain('Alert AB12CD34');
    expect(renderReply('zh-CN', { kind: 'help' })).toContain('回复“1”');
    expect(renderReply('en', { kind: 'help' })).toContain('Reply 1 or OK');
    expect(renderReply('zh-CN', { kind: 'nothing_open' })).toMatch(/^【安居】/);
    expect(renderReply('en', { kind: 'nothing_open' })).toMatch(/^\[Anju\]/);
  });
});
