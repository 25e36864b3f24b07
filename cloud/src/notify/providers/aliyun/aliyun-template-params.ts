import type { Language } from '../../../residents/residents.schemas.ts';
import { caseRef, formatTime } from '../../guardian-alert.template.ts';

/**
 * Aliyun only sends pre-approved templates (短信模板) with `${var}` parameters, never free text, so the
 * guardian alert is registered as a template per language and filled with these parameters. The text to
 * register (see cloud/README.md "SMS providers"):
 *   zh-CN: 【安居】${name}${event}（${time}）。请立即打电话确认其安全，联系不上请上门查看或拨打120。回复1确认。编号${ref}
 *   en:    [Anju] ${event}: ${name} (${time}). Please call now to check they are safe. Reply 1 to confirm. Ref ${ref}
 * Guardians see the resident's name (they may look after more than one person) but never the address;
 * each value stays within Aliyun's 35-character limit per variable.
 */
const EVENT: Record<Language, Record<string, string>> = {
  'zh-CN': {
    fall: '可能跌倒了',
    sos: '按下了紧急呼叫',
    inactivity: '长时间没有活动',
    vitals: '体征出现异常',
    emotion: '可能情绪低落',
    meter_safety: '家中水电气用量异常',
    night_exit: '夜间离开了家',
    device_health: '家中看护设备故障',
    medication_missed: '没有确认按时服药',
  },
  en: {
    fall: 'Possible fall',
    sos: 'SOS pressed',
    inactivity: 'No activity for a long time',
    vitals: 'Abnormal vital signs',
    emotion: 'May be feeling low',
    meter_safety: 'Unusual water/power/gas use',
    night_exit: 'Left home at night',
    device_health: 'Monitoring device fault',
    medication_missed: 'Medication not confirmed',
  },
};

export interface AlertTemplateParams {
  name: string;
  event: string;
  time: string;
  ref: string;
}

export function alertTemplateParams(
  facts: { caseId: string; kind: string; residentName: string; occurredAt: string },
  language: Language,
  timeZone: string,
): AlertTemplateParams {
  return {
    name: facts.residentName.slice(0, 35),
    event: EVENT[language][facts.kind] ?? facts.kind,
    time: formatTime(facts.occurredAt, language, timeZone),
    ref: caseRef(facts.caseId),
  };
}
