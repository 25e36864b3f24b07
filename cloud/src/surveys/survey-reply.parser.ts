/**
 * What a reply to a survey says. A score is one digit 1-5 (full-width too: "５"), or the Chinese numeral
 * 一 … 五, optionally with a unit ("5分", "4星", "3 stars", "5/5") and the case reference printed in the
 * survey ("4 AB12CD34"). Words — at least two letters or CJK characters that are not a score — are a
 * comment, which the survey stores as a complaint. Anything else (6, 0, "?", "3.5", "1234", and
 * courtesies such as "OK" or "谢谢") is garbled.
 */
export type SurveyReply =
  | { kind: 'score'; score: number; caseRef?: string }
  | { kind: 'words'; text: string }
  | { kind: 'garbled' };

/** "OK", "thanks": not a score, and not a complaint either (answered with the help text). */
const COURTESY = new Set([
  'ok',
  'okay',
  '好',
  '好的',
  '收到',
  '确认',
  '谢谢',
  '谢谢你',
  '多谢',
  'thanks',
  'thank you',
  'thx',
]);

const NUMERALS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

export function parseSurveyReply(text: string): SurveyReply {
  // NFKC folds full-width digits and letters (５, ＡＢ) and the ideographic space to ASCII.
  const norm = text
    .normalize('NFKC')
    .trim()
    .replace(/[\s.!。！,，~]+$/u, '');
  const m =
    /^([1-5]|[一二两三四五])\s*(?:分|星|颗星|points?|stars?|\/\s*5)?(?:[\s,，:：]+([0-9a-f]{8}))?$/iu.exec(
      norm,
    );
  if (m) {
    const digit = m[1]!;
    const score = NUMERALS[digit] ?? Number(digit);
    return m[2] ? { kind: 'score', score, caseRef: m[2].toUpperCase() } : { kind: 'score', score };
  }
  if (COURTESY.has(norm.toLowerCase())) return { kind: 'garbled' };
  const letters = norm.match(/[\p{L}]/gu)?.length ?? 0;
  if (letters >= 2) return { kind: 'words', text: text.trim().slice(0, 1000) };
  return { kind: 'garbled' };
}
