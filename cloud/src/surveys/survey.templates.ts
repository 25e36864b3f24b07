import type { EventKind } from '../../../contracts/src/index.ts';
import { caseRef } from '../notify/guardian-alert.template.ts';
import { KIND_LABEL } from '../notify/staff-alert.template.ts';
import type { Language } from '../residents/residents.schemas.ts';

/**
 * The survey text and the answers to replies, in zh-CN and en. They go to a guardian, so they carry the
 * resident's name (a guardian may look after more than one person) but never the address, and no
 * health details. The case reference lets a guardian with two surveys say which one they rate.
 */
export interface SurveyPromptInput {
  language: Language;
  kind: EventKind;
  residentName: string;
  caseId: string;
}

export function renderSurveyPrompt(i: SurveyPromptInput): string {
  const k = KIND_LABEL[i.language][i.kind];
  const ref = caseRef(i.caseId);
  return i.language === 'zh-CN'
    ? `【安居】${i.residentName}的${k}求助已处理完毕（编号${ref}）。请为本次服务打分：回复1-5（5=非常满意），有意见也可直接回复文字。`
    : `[Anju] The ${k.toLowerCase()} alert for ${i.residentName} has been closed (Ref ${ref}). How did we do? Reply 1-5 (5 = very good), or reply with your comments.`;
}

export type SurveyAnswer =
  | { kind: 'scored'; score: number; complaint: boolean }
  | { kind: 'late' }
  | { kind: 'complaint' }
  | { kind: 'help' };

/**
 * What we text back. The help text is bilingual on purpose: a reply we could not read may come from a
 * phone shared with someone who reads the other language.
 */
export function renderSurveyAnswer(language: Language, a: SurveyAnswer): string {
  if (a.kind === 'help') {
    return '【安居】请回复1-5的数字为服务打分（5=非常满意）。[Anju] Please reply with a number 1-5 to rate our service (5 = very good).';
  }
  if (language === 'zh-CN') {
    switch (a.kind) {
      case 'scored':
        return a.complaint
          ? `【安居】已收到您的评分（${a.score}分）。很抱歉让您失望，社工站负责人会与您联系。`
          : `【安居】已收到您的评分（${a.score}分），谢谢！`;
      case 'late':
        return '【安居】您已为这次服务打过分，以第一次的评分为准。谢谢！';
      case 'complaint':
        return '【安居】已收到您的意见，我们会转交社工站负责人处理。谢谢！';
    }
  }
  switch (a.kind) {
    case 'scored':
      return a.complaint
        ? `[Anju] Thank you for your rating (${a.score}). We are sorry we let you down; the station manager will contact you.`
        : `[Anju] Thank you for your rating (${a.score})!`;
    case 'late':
      return '[Anju] You have already rated this service; your first rating stands. Thank you!';
    case 'complaint':
      return '[Anju] Thank you for your comments; we will pass them to the station manager.';
  }
}
