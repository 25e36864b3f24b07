import type { EventKind } from '../../../contracts/src/index.ts';
import { dateTimeFormat } from '../clock.ts';
import type { Language } from '../residents/residents.schemas.ts';

/**
 * The text a guardian receives when a case opens, in zh-CN or en. Personal data is kept to what the
 * guardian needs to act: the resident's name (a guardian may look after more than one person) — no
 * address, no health details, no scores.
 */
export interface GuardianAlertInput {
  language: Language;
  kind: EventKind;
  residentName: string;
  occurredAt: string;
  caseId: string;
  /** IANA zone the time is printed in, e.g. Asia/Shanghai. */
  timeZone: string;
  /** The signed read-only status page of the case (web console), appended when given. */
  link?: string | undefined;
}

type KindText = { title: string; what: (name: string) => string; todo: string };

const CALL_ZH = '请立即打电话确认其安全；如联系不上，请尽快上门查看，紧急情况拨打120。';
const CALL_EN = 'Please call now to check they are safe; if you cannot reach them, go there or call 120.';

const TEXT: Record<Language, Record<EventKind, KindText>> = {
  'zh-CN': {
    fall: { title: '跌倒提醒', what: (n) => `${n}可能跌倒了`, todo: CALL_ZH },
    sos: { title: '紧急呼叫', what: (n) => `${n}按下了紧急呼叫按钮`, todo: CALL_ZH },
    inactivity: { title: '长时间无活动', what: (n) => `${n}已长时间没有活动`, todo: CALL_ZH },
    vitals: { title: '生命体征异常', what: (n) => `${n}的心率等体征出现异常`, todo: CALL_ZH },
    emotion: { title: '情绪提醒', what: (n) => `${n}可能情绪低落或不适`, todo: '请抽空打电话问候。' },
    meter_safety: {
      title: '用水用电用气异常',
      what: (n) => `${n}家中水、电或燃气用量异常`,
      todo: '请打电话确认，必要时上门检查阀门和电器。',
    },
    night_exit: { title: '夜间离家', what: (n) => `${n}夜间离开了家`, todo: CALL_ZH },
    device_health: {
      title: '设备故障',
      what: (n) => `${n}家中的看护设备出现故障，看护可能中断`,
      todo: '请检查网关电源和网络，或联系安装人员。',
    },
    medication_missed: {
      title: '未按时服药',
      what: (n) => `${n}没有确认按时服药`,
      todo: '请打电话提醒其服药，并确认身体无恙。',
    },
  },
  en: {
    fall: { title: 'Fall alert', what: (n) => `${n} may have fallen`, todo: CALL_EN },
    sos: { title: 'SOS', what: (n) => `${n} pressed the SOS button`, todo: CALL_EN },
    inactivity: {
      title: 'No activity',
      what: (n) => `${n} has shown no activity for a long time`,
      todo: CALL_EN,
    },
    vitals: {
      title: 'Vital signs',
      what: (n) => `${n}'s heart rate or other vital signs look abnormal`,
      todo: CALL_EN,
    },
    emotion: {
      title: 'Wellbeing',
      what: (n) => `${n} may be feeling low or unwell`,
      todo: 'Please give them a call.',
    },
    meter_safety: {
      title: 'Water/power/gas',
      what: (n) => `${n}'s home shows unusual water, power or gas use`,
      todo: 'Please call, and if needed check the taps, gas and appliances.',
    },
    night_exit: { title: 'Night exit', what: (n) => `${n} left home during the night`, todo: CALL_EN },
    device_health: {
      title: 'Device fault',
      what: (n) => `a monitoring device in ${n}'s home has failed; monitoring may be interrupted`,
      todo: "Please check the gateway's power and network, or call the installer.",
    },
    medication_missed: {
      title: 'Medication missed',
      what: (n) => `${n} did not confirm taking their medicine on time`,
      todo: 'Please call to remind them, and check they are well.',
    },
  },
};

/** zh-CN: `5月1日 08:03`; en: `1 May 08:03 GMT+8` (times are local to `timeZone`). */
export function formatTime(iso: string, language: Language, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = dateTimeFormat({
    timeZone,
    month: language === 'zh-CN' ? 'numeric' : 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(d);
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? '';
  return language === 'zh-CN'
    ? `${Number(p('month'))}月${Number(p('day'))}日 ${p('hour')}:${p('minute')}`
    : `${p('day')} ${p('month')} ${p('hour')}:${p('minute')} ${p('timeZoneName')}`;
}

/** A short, stable reference the guardian can quote to a call centre. */
export const caseRef = (caseId: string) => caseId.replaceAll('-', '').slice(0, 8).toUpperCase();

export function renderGuardianAlert(i: GuardianAlertInput): string {
  const t = TEXT[i.language][i.kind];
  const time = formatTime(i.occurredAt, i.language, i.timeZone);
  if (i.language === 'zh-CN') {
    const status = i.link ? ` 处理进度：${i.link}` : '';
    return `【安居·${t.title}】${t.what(i.residentName)}（${time}）。${t.todo}编号${caseRef(i.caseId)}${status}`;
  }
  const what = t.what(i.residentName);
  const status = i.link ? ` Status: ${i.link}` : '';
  return `[Anju ${t.title}] ${what.charAt(0).toUpperCase()}${what.slice(1)} (${time}). ${t.todo} Ref ${caseRef(i.caseId)}${status}`;
}
