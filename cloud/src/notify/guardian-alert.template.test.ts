import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../../contracts/src/index.ts';
import { caseRef, formatTime, renderGuardianAlert } from './guardian-alert.template.ts';
import { maskPhone } from './notifier.ts';

const base = {
  residentName: '王奶奶',
  occurredAt: '2024-05-01T00:03:00Z',
  caseId: '1a2b3c4d-0000-4000-8000-000000000000',
  timeZone: 'Asia/Shanghai',
};

describe('guardian alert template', () => {
  it('writes a fall alert in Chinese with local time, what to do and a case reference', () => {
    expect(renderGuardianAlert({ ...base, language: 'zh-CN', kind: 'fall' })).toBe(
      '【安居·跌倒提醒】王奶奶可能跌倒了（5月1日 08:03）。请立即打电话确认其安全；如联系不上，请尽快上门查看，紧急情况拨打120。编号1A2B3C4D',
    );
  });

  it('writes a fall alert in English', () => {
    const text = renderGuardianAlert({ ...base, residentName: 'Grandma Wang', language: 'en', kind: 'fall' });
    expect(text).toBe(
      '[Anju Fall alert] Grandma Wang may have fallen (1 May 08:03 GMT+8). Please call now to check they are safe; if you cannot reach them, go there or call 120. Ref 1A2B3C4D',
    );
  });

  it('has a text for every event kind in both languages, short enough for two SMS parts', () => {
    for (const kind of EVENT_KINDS) {
      for (const language of ['zh-CN', 'en'] as const) {
        const text = renderGuardianAlert({ ...base, kind, language });
        expect(text).toContain(base.residentName);
        expect(text).toContain('1A2B3C4D');
        expect(text.length, `${kind}/${language}`).toBeLessThanOrEqual(language === 'en' ? 306 : 134);
      }
    }
  });

  it('prints times in the configured zone', () => {
    expect(formatTime('2024-12-31T23:30:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('1月1日 07:30');
    expect(formatTime('2024-12-31T23:30:00Z', 'en', 'UTC')).toBe('31 Dec 23:30 UTC');
    expect(formatTime('not a time', 'en', 'UTC')).toBe('not a time');
    expect(caseRef('abcdef12-3456')).toBe('ABCDEF12');
  });

  it('masks phone numbers for logs', () => {
    expect(maskPhone('+8613812345678')).toBe('+861381****678');
    expect(maskPhone('12345')).toBe('****');
  });
});
