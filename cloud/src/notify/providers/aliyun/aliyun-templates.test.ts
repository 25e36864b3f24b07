import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES } from '../../message-types.ts';
import {
  ALIYUN_TEMPLATE_TEXT,
  aliyunTemplateParams,
  buildTemplateTable,
  type MessageFacts,
  templateVars,
} from './aliyun-templates.ts';

const facts = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
  kind: 'fall',
  residentName: '王奶奶',
  address: '静安区南京西路1号 3-201',
  occurredAt: '2024-05-06T19:00:00.000Z',
  assignee: '张社工',
  messageType: 'worker_dispatch',
  ...over,
});

describe('Aliyun templates', () => {
  it.each(MESSAGE_TYPES.flatMap((t) => (['zh-CN', 'en'] as const).map((l) => [t, l] as const)))(
    '%s/%s fills exactly the variables its template declares, each 1-35 characters',
    (messageType, language) => {
      const text = ALIYUN_TEMPLATE_TEXT[messageType][language];
      const vars = templateVars(text);
      expect(new Set(vars).size).toBe(vars.length); // a variable may appear only once
      expect(text).not.toMatch(/[【】]/); // Aliyun adds the sign name in 【】 itself
      const p = aliyunTemplateParams(
        facts({ messageType, residentName: '王'.repeat(50) }),
        language,
        'Asia/Shanghai',
      );
      expect(Object.keys(p).sort()).toEqual([...vars].sort());
      for (const v of Object.values(p)) expect(v.length).toBeGreaterThan(0);
      for (const v of Object.values(p)) expect(v.length).toBeLessThanOrEqual(35);
    },
  );

  it('guardian templates carry no address; staff ones say when there is none', () => {
    for (const t of ['guardian_alert', 'guardian_emergency', 'survey'] as const) {
      for (const l of ['zh-CN', 'en'] as const)
        expect(templateVars(ALIYUN_TEMPLATE_TEXT[t][l])).not.toContain('address');
    }
    expect(aliyunTemplateParams(facts({ address: null }), 'zh-CN', 'Asia/Shanghai')).toEqual({
      event: '跌倒',
      name: '王奶奶',
      address: '地址未登记',
      time: '5月7日 03:00',
      ref: '0B9C8F7E',
    });
    expect(aliyunTemplateParams(facts({ messageType: 'survey' }), 'en', 'Asia/Shanghai')).toEqual({
      event: 'fall',
      name: '王奶奶',
      ref: '0B9C8F7E',
    });
  });

  it('is checked at start-up: every text sent needs a zh-CN template; English falls back with a warning', () => {
    const none = buildTemplateTable({}, ['guardian_alert', 'survey']);
    expect(none.problems).toEqual([
      expect.stringMatching(/^notify\.providers\.aliyun\.templates\.guardian_alert\.zh-CN: no TemplateCode/),
      expect.stringMatching(/^notify\.providers\.aliyun\.templates\.survey\.zh-CN: no TemplateCode/),
    ]);
    const some = buildTemplateTable(
      { templateCode: 'SMS_1', templates: { survey: { 'zh-CN': 'SMS_3', en: 'SMS_4' } } },
      ['guardian_alert', 'survey'],
    );
    expect(some.problems).toEqual([]);
    expect(some.englishFallback).toEqual(['guardian_alert']);
    expect(some.table.codeFor('guardian_alert', 'en')).toBe('SMS_1');
    expect(some.table.codeFor('survey', 'en')).toBe('SMS_4');
    expect(some.table.codeFor('survey', 'zh-CN')).toBe('SMS_3');
  });
});
