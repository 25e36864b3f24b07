/** TwiML answer to an inbound message ("TwiML for Programmable Messaging": `<Response><Message>`). */
export function twimlReply(text?: string): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  return text ? `${head}<Response><Message>${escapeXml(text)}</Message></Response>` : `${head}<Response/>`;
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}
