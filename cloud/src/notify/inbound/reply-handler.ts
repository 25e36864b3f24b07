/**
 * The one thing inbound SMS needs from case management: "this phone said OK". Kept narrow so the case
 * lifecycle can change behind it; the default implementation is `case-ack.reply-handler.ts`.
 */
export interface ReplyHandler {
  acknowledgeByReply(input: {
    /** The sender as the provider reported it (E.164 or national digits). */
    fromPhone: string;
    /** The 8-character reference printed in our text, when the person quoted it. */
    caseRef?: string | undefined;
    receivedAt: string;
  }): Promise<{ acknowledged: boolean; caseId?: string; caseRef?: string; reason?: string }>;
  /**
   * When this phone was last texted about a case that still waits for an acknowledgement (narrowed to
   * `caseRef` if given); undefined when none. Lets a reply be matched to the newest question asked.
   */
  lastWaiting?(q: { phoneKeys: readonly string[]; caseRef: string | undefined }): Promise<Date | undefined>;
}
