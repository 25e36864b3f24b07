import { type Static, Type } from '@sinclair/typebox';
import type { EventKind } from '../../../../../contracts/src/index.ts';
import type { Language } from '../../../residents/residents.schemas.ts';
import { caseRef, formatTime } from '../../guardian-alert.template.ts';
import { MESSAGE_TYPES, type MessageType } from '../../message-types.ts';
import { KIND_LABEL } from '../../staff-alert.template.ts';
import { alertTemplateParams } from './aliyun-template-params.ts';

/**
 * Aliyun sends only templates approved in advance (短信模板, each with its own TemplateCode) filled with
 * `TemplateParam`, a JSON object of the template's `${var}` values — never free text. So every kind of
 * text we send needs a template per language, registered in the console ("国内短信模板与国际/港澳台短信
 * 模板不通用": a template for mainland numbers cannot be used for others). Rules the texts below follow:
 * the sign name is added by Aliyun as 【安居】 (no 【】 in the template), variable names are letters only
 * and each appears once, values are 1-35 characters and never empty, links may only be fixed text (so the
 * worker's text carries the reference, not a link with the case id).
 *
 * What each recipient may see is the same as in the texts we render ourselves (staff-alert.template.ts):
 * guardians the resident's name, never the address; staff the address unless the resident refused it.
 */
const SOURCE: Readonly<Record<MessageType, Readonly<Record<Language, string>>>> = {
  guardian_alert: {
    'zh-CN':
      '{name}{event}（{time}）。请立即打电话确认其安全，联系不上请上门查看或拨打120。回复1确认。编号{ref}',
    en: '{event}: {name} ({time}). Please call now to check they are safe. Reply 1 to confirm. Ref {ref}',
  },
  guardian_emergency: {
    'zh-CN':
      '紧急：{name}的{event}提醒（{time}）仍无人响应，值班台正在呼叫120。请立即联系其本人或就近上门。编号{ref}',
    en: "URGENT: {name}'s {event} alert ({time}) still has no response; the duty desk is calling 120. Please contact them or go there now. Ref {ref}",
  },
  worker_dispatch: {
    'zh-CN': '派单：{event}，{name}，{address}（{time}）。请尽快上门，回复1确认。编号{ref}',
    en: 'Dispatch: {event}, {name}, {address} ({time}). Please visit now; reply 1 to confirm. Ref {ref}',
  },
  supervisor_escalation: {
    'zh-CN':
      '二级响应：{event}，{name}，{address}（{time}），负责社工{assignee}未确认，请立即协调上门。编号{ref}',
    en: 'Level 2: {event}, {name}, {address} ({time}). Worker {assignee} has not acknowledged; please arrange a visit now. Ref {ref}',
  },
  duty_desk_emergency: {
    'zh-CN': '三级紧急：{event}，{name}，{address}（{time}）仍无人响应。请立即拨打120并联系家属。编号{ref}',
    en: 'Level 3 EMERGENCY: {event}, {name}, {address} ({time}) - still no response. Call 120 now and contact the family. Ref {ref}',
  },
  duty_desk_device_fault: {
    'zh-CN': '设备故障：{name}家{event}（{time}）。请远程核实或安排安装人员，恢复后自动关闭。编号{ref}',
    en: "Device fault at {name}'s home: {event} ({time}). Please check or send the installer; it closes itself when cleared. Ref {ref}",
  },
  duty_desk_no_visit: {
    'zh-CN': '请致电：{event}，{name}（{time}）。本人不同意上门，已通知家属，请立即致电本人和家属。编号{ref}',
    en: 'Please call: {event}, {name} ({time}). They declined home visits; the family was told. Call them and the family now. Ref {ref}',
  },
  survey: {
    'zh-CN':
      '{name}的{event}求助已处理完毕（编号{ref}）。请为本次服务打分：回复1-5（5=非常满意），有意见也可直接回复文字。',
    en: 'The {event} alert for {name} has been closed (Ref {ref}). How did we do? Reply 1-5 (5 = very good), or reply with your comments.',
  },
};

/** The texts as registered: each `{var}` of SOURCE written as Aliyun's `${var}`. */
const ALIYUN_PLACEHOLDER = '$$' + '{$1}'; // replacement pattern: a literal "$" then "{name}"
export const ALIYUN_TEMPLATE_TEXT = Object.fromEntries(
  Object.entries(SOURCE).map(([type, texts]) => [
    type,
    Object.fromEntries(
      Object.entries(texts).map(([l, t]) => [l, t.replace(/\{([a-zA-Z]+)\}/g, ALIYUN_PLACEHOLDER)]),
    ),
  ]),
) as Readonly<Record<MessageType, Readonly<Record<Language, string>>>>;

/** The `${var}` names a template declares, in order. */
export const templateVars = (text: string) => [...text.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]!);

/** What the parameters of any of our templates are built from (sms-ledger.repository.ts `messageFacts`). */
export interface MessageFacts {
  caseId: string;
  kind: string;
  residentName: string;
  /** The address as the recipient may see it: null for guardians, or when the resident refused it. */
  address: string | null;
  occurredAt: string;
  /** The worker who has the case, for the supervisor's text. */
  assignee: string | null;
  messageType: MessageType;
}

/** Aliyun refuses a value over 35 characters (isv.PARAM_LENGTH_LIMIT) or an empty one. */
const clip = (s: string, placeholder: string) => (s.trim() === '' ? placeholder : s.slice(0, 35));

/** TemplateParam for one text: exactly the variables its template declares. */
export function aliyunTemplateParams(
  f: MessageFacts,
  language: Language,
  timeZone: string,
): Record<string, string> {
  if (f.messageType === 'guardian_alert') return { ...alertTemplateParams(f, language, timeZone) };
  const zh = language === 'zh-CN';
  const label = KIND_LABEL[language][f.kind as EventKind] ?? f.kind;
  // English mid-sentence ("the fall alert for …") in lower case, as a heading ("Dispatch: Fall, …") not.
  const midSentence = f.messageType === 'survey' || f.messageType === 'guardian_emergency';
  const all: Record<string, string> = {
    name: clip(f.residentName, '-'),
    event: clip(!zh && midSentence ? label.toLowerCase() : label, f.kind),
    time: formatTime(f.occurredAt, language, timeZone),
    ref: caseRef(f.caseId),
    address: clip(f.address ?? '', zh ? '地址未登记' : 'no address on file'),
    assignee: clip(f.assignee ?? '', zh ? '（未派单）' : '(none)'),
  };
  const vars = templateVars(ALIYUN_TEMPLATE_TEXT[f.messageType][language]);
  return Object.fromEntries(vars.map((v) => [v, all[v] ?? '-']));
}

const TemplateCode = Type.String({
  pattern: '^SMS_[0-9]+$',
  description: 'an approved TemplateCode, e.g. SMS_460000001',
});
const ByLanguage = Type.Object(
  { 'zh-CN': Type.Optional(TemplateCode), en: Type.Optional(TemplateCode) },
  { additionalProperties: false },
);

/** `notify.providers.aliyun.templates`: message type → language → TemplateCode. */
export const AliyunTemplatesConfig = Type.Object(
  {
    guardian_alert: Type.Optional(ByLanguage),
    guardian_emergency: Type.Optional(ByLanguage),
    worker_dispatch: Type.Optional(ByLanguage),
    supervisor_escalation: Type.Optional(ByLanguage),
    duty_desk_emergency: Type.Optional(ByLanguage),
    survey: Type.Optional(ByLanguage),
    duty_desk_device_fault: Type.Optional(ByLanguage),
    duty_desk_no_visit: Type.Optional(ByLanguage),
  } satisfies Record<MessageType, unknown>,
  {
    additionalProperties: false,
    description:
      'TemplateCode per message type and language (texts to register: cloud/README.md "SMS providers")',
    examples: [{ guardian_alert: { 'zh-CN': 'SMS_460000001', en: 'SMS_460000002' } }],
  },
);
export type AliyunTemplatesConfig = Static<typeof AliyunTemplatesConfig>;

export interface TemplateTable {
  /** The TemplateCode for a text; English falls back to the zh-CN template when none is registered. */
  codeFor(type: MessageType, language: Language): string;
}

/**
 * Builds the table from the config and checks it once, at start-up: every message type in `needed`
 * must have a zh-CN template (the legacy `templateCode` / `templateCodeEn` count as the guardian
 * alert's). Returns the problems (each naming its key) and the types that will send English recipients
 * the zh-CN template (a warning: the text still goes out).
 */
export function buildTemplateTable(
  config: {
    templateCode?: string | undefined;
    templateCodeEn?: string | undefined;
    templates?: AliyunTemplatesConfig | undefined;
  },
  needed: readonly MessageType[],
): { table: TemplateTable; problems: string[]; englishFallback: MessageType[] } {
  const codes: Partial<Record<MessageType, Partial<Record<Language, string>>>> = {};
  for (const t of MESSAGE_TYPES) {
    const c = config.templates?.[t];
    if (c) codes[t] = { ...c };
  }
  codes.guardian_alert = {
    'zh-CN': config.templateCode,
    en: config.templateCodeEn,
    ...codes.guardian_alert,
  };
  const problems: string[] = [];
  const englishFallback: MessageType[] = [];
  for (const t of needed) {
    if (!codes[t]?.['zh-CN']) {
      problems.push(
        `notify.providers.aliyun.templates.${t}.zh-CN: no TemplateCode for "${t}" texts (register: ${ALIYUN_TEMPLATE_TEXT[t]['zh-CN']})`,
      );
    } else if (!codes[t]?.en) {
      englishFallback.push(t);
    }
  }
  return {
    table: {
      codeFor(type, language) {
        const c = codes[type];
        const code = (language === 'en' ? c?.en : undefined) ?? c?.['zh-CN'];
        if (!code) throw new Error(`aliyun: no template for ${type} (checked at start-up)`);
        return code;
      },
    },
    problems,
    englishFallback,
  };
}
