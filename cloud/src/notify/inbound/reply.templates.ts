import type { Language } from '../../residents/residents.schemas.ts';

/**
 * Texts sent back to someone who replied, in their language. They go to whoever holds the phone, so
 * they carry no resident name or address: only the case reference the person already has.
 */
export type ReplyText =
  | { kind: 'acknowledged'; caseRef: string }
  | { kind: 'nothing_open' }
  | { kind: 'help' };

export function renderReply(language: Language, r: ReplyText): string {
  if (language === 'zh-CN') {
    switch (r.kind) {
      case 'acknowledged':
        return `【安居】已确认，谢谢。编号${r.caseRef}的提醒已记录为由您处理。`;
      case 'nothing_open':
        return '【安居】目前没有需要您确认的提醒。';
      case 'help':
        return '【安居】回复“1”或“收到”即可确认提醒。紧急情况请拨打120。';
    }
  }
  switch (r.kind) {
    case 'acknowledged':
      return `[Anju] Confirmed, thank you. Alert ${r.caseRef} is recorded as handled by you.`;
    case 'nothing_open':
      return '[Anju] There is no alert waiting for your confirmation.';
    case 'help':
      return '[Anju] Reply 1 or OK to confirm an alert. In an emergency call 120.';
  }
}
