/**
 * Forms under which one phone number may be stored or reported, digits only. Aliyun reports mainland
 * numbers as 11 digits (`13800000001`), Twilio in E.164 (`+8613800000001`), and guardians may have been
 * entered either way, with spaces or dashes: compare the digit strings of all forms.
 */
export function phoneKeys(phone: string): string[] {
  const trimmed = phone.trim();
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  let digits = trimmed.replace(/[^0-9]/g, '');
  if (trimmed.startsWith('00')) digits = digits.slice(2);
  const keys = new Set([digits]);
  // Mainland mobile 1[3-9]x xxxx xxxx: national form (no + / 00) ↔ with the 86 country code.
  if (!international && /^1[3-9][0-9]{9}$/.test(digits)) keys.add(`86${digits}`);
  if (/^861[3-9][0-9]{9}$/.test(digits)) keys.add(digits.slice(2));
  return [...keys];
}

/** SQL expression: the digits of a phone column, to compare with `phoneKeys` (`= ANY($n)`). */
export const phoneDigitsSql = (column: string) => `regexp_replace(${column}, '[^0-9]', '', 'g')`;
