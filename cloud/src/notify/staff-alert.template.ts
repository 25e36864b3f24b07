import type { EventKind } from '../../../contracts/src/index.ts';
import type { Language } from '../residents/residents.schemas.ts';
import { caseRef, formatTime } from './guardian-alert.template.ts';

/**
 * Texts of the response chain (issue 4), in zh-CN and en. What each recipient may see:
 * worker — name, address and a link to the case; supervisor and duty desk — name and address;
 * guardian — the name only (never the address: the guardian knows it, the text may be read by others).
 * KIND_LABEL: the short names of the kinds of case, as the texts print them.
 */
export const KIND_LABEL: Record<Language, Record<EventKind, string>> = {
  'zh-CN': {
    fall: '跌倒',
    sos: '紧急呼叫',
    inactivity: '长时间无活动',
    vitals: '生命体征异常',
    emotion: '情绪异常',
    meter_safety: '水电气异常',
    night_exit: '夜间离家',
    device_health: '设备故障',
    medication_missed: '未按时服药',
  },
  en: {
    fall: 'Fall',
    sos: 'SOS',
    inactivity: 'No activity',
    vitals: 'Vital signs',
    emotion: 'Wellbeing',
    meter_safety: 'Water/power/gas',
    night_exit: 'Night exit',
    device_health: 'Device fault',
    medication_missed: 'Medication missed',
  },
};

/**
 * The address as staff may see it: a resident may refuse that workers get it by text (consent flag
 * shareAddressWithWorkers: false); then staff look it up. Null when refused or not on file.
 */
export function shareableAddress(
  resident:
    | { address: string | null; consent: { shareAddressWithWorkers?: boolean | undefined } }
    | undefined,
): string | null {
  return resident?.consent.shareAddressWithWorkers === false ? null : (resident?.address ?? null);
}

export interface StaffAlertInput {
  language: Language;
  kind: EventKind;
  residentName: string;
  /** Absent when unknown or the resident did not consent to share it. */
  address: string | null;
  caseId: string;
  occurredAt: string;
  timeZone: string;
}

const addr = (i: StaffAlertInput) =>
  i.address ?? (i.language === 'zh-CN' ? '（地址未登记）' : '(no address on file)');

/** Level 1: the chosen social worker, with the link to acknowledge. */
export function renderWorkerDispatch(i: StaffAlertInput & { link: string }): string {
  const k = KIND_LABEL[i.language][i.kind];
  const t = formatTime(i.occurredAt, i.language, i.timeZone);
  return i.language === 'zh-CN'
    ? `【安居·派单】${k}：${i.residentName}，${addr(i)}（${t}）。请尽快确认并上门：${i.link} 编号${caseRef(i.caseId)}`
    : `[Anju dispatch] ${k}: ${i.residentName}, ${addr(i)} (${t}). Please acknowledge and visit: ${i.link} Ref ${caseRef(i.caseId)}`;
}

/** Level 2: the station supervisor, because nobody acknowledged in time. */
export function renderSupervisorEscalation(i: StaffAlertInput & { assignee: string | null }): string {
  const k = KIND_LABEL[i.language][i.kind];
  const t = formatTime(i.occurredAt, i.language, i.timeZone);
  if (i.language === 'zh-CN') {
    const who = i.assignee ? `已派给${i.assignee}但` : '';
    return `【安居·二级响应】${k}：${i.residentName}，${addr(i)}（${t}）${who}无人确认，请立即协调上门。编号${caseRef(i.caseId)}`;
  }
  const who = i.assignee ? ` Sent to ${i.assignee}, but` : '';
  return `[Anju level 2] ${k}: ${i.residentName}, ${addr(i)} (${t}).${who} nobody has acknowledged; please arrange a visit now. Ref ${caseRef(i.caseId)}`;
}

/** Level 3: the duty desk calls 120. */
export function renderDutyDeskEmergency(i: StaffAlertInput): string {
  const k = KIND_LABEL[i.language][i.kind];
  const t = formatTime(i.occurredAt, i.language, i.timeZone);
  return i.language === 'zh-CN'
    ? `【安居·三级紧急】${k}：${i.residentName}，${addr(i)}（${t}）仍无人响应。请立即拨打120并联系家属。编号${caseRef(i.caseId)}`
    : `[Anju level 3 EMERGENCY] ${k}: ${i.residentName}, ${addr(i)} (${t}) - still no response. Call 120 now and contact the family. Ref ${caseRef(i.caseId)}`;
}

/** Level 3 to guardians: urgent, name only. */
export function renderGuardianEmergency(i: Omit<StaffAlertInput, 'address'>): string {
  const k = KIND_LABEL[i.language][i.kind];
  const t = formatTime(i.occurredAt, i.language, i.timeZone);
  return i.language === 'zh-CN'
    ? `【安居·紧急】${i.residentName}的${k}提醒（${t}）仍无人响应，值班台正在呼叫120。请立即联系其本人或就近上门。编号${caseRef(i.caseId)}`
    : `[Anju URGENT] ${i.residentName}'s ${k.toLowerCase()} alert (${t}) still has no response; the duty desk is calling 120. Please contact them or go there now. Ref ${caseRef(i.caseId)}`;
}

/** A technical alarm (device_health) to the duty desk: check the equipment, no one need go yet. */
export function renderDutyDeskDeviceFault(i: StaffAlertInput & { fault: string | null }): string {
  const t = formatTime(i.occurredAt, i.language, i.timeZone);
  const f = i.fault ? (FAULT_LABEL[i.language][i.fault] ?? i.fault) : KIND_LABEL[i.language].device_health;
  return i.language === 'zh-CN'
    ? `【安居·设备故障】${i.residentName}家：${f}（${t}）。请远程核实或安排安装人员，故障恢复后本单自动关闭。编号${caseRef(i.caseId)}`
    : `[Anju device fault] ${i.residentName}'s home: ${f} (${t}). Please check remotely or send the installer; the case closes itself when the fault clears. Ref ${caseRef(i.caseId)}`;
}

/** The resident refused home visits (consent homeVisit: false): the desk calls them and the family instead. */
export function renderDutyDeskNoVisit(i: StaffAlertInput): string {
  const k = KIND_LABEL[i.language][i.kind];
  const t = formatTime(i.occurredAt, i.language, i.timeZone);
  return i.language === 'zh-CN'
    ? `【安居·请致电】${k}：${i.residentName}（${t}）。本人不同意上门服务，已通知家属；请立即致电本人和家属确认安全。编号${caseRef(i.caseId)}`
    : `[Anju please call] ${k}: ${i.residentName} (${t}). They have declined home visits; the family has been told. Please call them and the family now. Ref ${caseRef(i.caseId)}`;
}

/** The device faults as the desk's texts name them. */
export const FAULT_LABEL: Record<Language, Record<string, string>> = {
  'zh-CN': {
    gateway_silent: '网关离线（无心跳）',
    band_not_worn: '手环未佩戴',
    band_out_of_range: '手环不在接收范围',
    band_battery_low: '手环电量低',
    receiver_gone: '手环接收器断开',
    sensor_offline: '传感器离线',
    sensor_battery_low: '传感器电量低',
    meter_silent: '表计无应答',
  },
  en: {
    gateway_silent: 'gateway offline (no heartbeat)',
    band_not_worn: 'wristband not worn',
    band_out_of_range: 'wristband out of range',
    band_battery_low: 'wristband battery low',
    receiver_gone: 'wristband receiver unplugged',
    sensor_offline: 'sensor offline',
    sensor_battery_low: 'sensor battery low',
    meter_silent: 'meter not answering',
  },
};
