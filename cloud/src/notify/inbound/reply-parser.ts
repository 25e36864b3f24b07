/**
 * What a person's reply means. "1", "OK"/"ok", "好", "收到", "确认" acknowledge (trimmed; full-width
 * characters such as "１" or "ＯＫ" count, and so does trailing punctuation: "收到。", "OK!"), optionally
 * followed by the case reference printed in our text ("1 AB12CD34"). Anything else is not understood.
 */
export type ParsedReply = { kind: 'ack'; caseRef?: string } | { kind: 'other' };

const ACK_WORDS = new Set(['1', 'ok', '好', '收到', '确认']);

export function parseReply(text: string): ParsedReply {
  // NFKC folds full-width digits/letters (１, ＯＫ) and the ideographic space to ASCII.
  const norm = text
    .normalize('NFKC')
    .trim()
    .replace(/[\s.!。！,，~]+$/u, '')
    .toLowerCase();
  const m = /^(\S+?)(?:[\s,，:：]+([0-9a-f]{8}))?$/u.exec(norm);
  if (!m || !ACK_WORDS.has(m[1]!)) return { kind: 'other' };
  return m[2] ? { kind: 'ack', caseRef: m[2].toUpperCase() } : { kind: 'ack' };
}

/** The case reference quoted at the end of any reply ("4 AB12CD34", "收到，ab12cd34"), upper-cased. */
export function quotedCaseRef(text: string): string | undefined {
  const norm = text
    .normalize('NFKC')
    .trim()
    .replace(/[\s.!。！,，~]+$/u, '');
  const m = /(?:^|[\s,，:：])([0-9a-f]{8})$/iu.exec(norm);
  return m && !/^[0-9a-f]{8}$/iu.test(norm) ? m[1]!.toUpperCase() : undefined;
}
