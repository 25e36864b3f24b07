import { describe, expect, it } from 'vitest';
import {
  renderDutyDeskEmergency,
  renderGuardianEmergency,
  renderSupervisorEscalation,
  renderWorkerDispatch,
} from './staff-alert.template.ts';

const base = {
  kind: 'fall' as const,
  residentName: '王奶奶',
  address: '静安区南京西路1号 3-201',
  caseId: '1a2b3c4d-0000-4000-8000-000000000000',
  occurredAt: '2024-05-06T19:00:00Z',
  timeZone: 'Asia/Shanghai',
};

describe('response-chain templates', () => {
  it('gives the worker name, address and link', () => {
    expect(renderWorkerDispatch({ ...base, language: 'zh-CN', link: 'https://anju.example/cases/1' })).toBe(
      '【安居·派单】跌倒：王奶奶，静安区南京西路1号 3-201（5月7日 03:00）。请尽快确认并上门：https://anju.example/cases/1 编号1A2B3C4D',
    );
    expect(renderWorkerDispatch({ ...base, language: 'en', link: 'https://x/cases/1' })).toContain(
      'Please acknowledge and visit: https://x/cases/1',
    );
  });

  it('gives the supervisor and the duty desk name and address, no link', () => {
    for (const language of ['zh-CN', 'en'] as const) {
      const sup = renderSupervisorEscalation({ ...base, language, assignee: '张社工' });
      const desk = renderDutyDeskEmergency({ ...base, language });
      for (const text of [sup, desk]) {
        expect(text).toContain('王奶奶');
        expect(text).toContain(base.address);
        expect(text).not.toContain('http');
      }
      expect(desk).toContain('120');
    }
  });

  it('never gives a guardian the address', () => {
    const text = renderGuardianEmergency({ ...base, language: 'zh-CN' });
    expect(text).toContain('王奶奶');
    expect(text).not.toContain('南京西路');
    expect(text).toContain('120');
  });
});
