import type { Logger } from '../log/logger.ts';
import type { Language } from '../residents/residents.schemas.ts';

/** One text to one person. The body is already rendered in the recipient's language. */
export interface OutboundMessage {
  readonly notificationId: string;
  readonly caseId: string;
  /** Recipient phone number. Personal data: never log it unmasked. */
  readonly to: string;
  readonly language: Language;
  readonly body: string;
}

export interface DeliveryReceipt {
  /** The provider's id for the message, when it gives one. */
  readonly providerMessageId?: string;
}

/**
 * A delivery channel (plug point, like zigbee2mqtt extensions): SMS providers, voice, push … each is a
 * Notifier registered by name in `notifier.registry.ts`. `send` resolves when the provider accepted the
 * message and throws when it did not; the sender records either outcome in the notifications table.
 */
export interface Notifier {
  readonly channel: string;
  send(msg: OutboundMessage, signal: AbortSignal): Promise<DeliveryReceipt>;
}

export type NotifierFactory = (deps: { log: Logger }) => Notifier;

/** `+8613812345678` → `+861381****678`: enough to tell numbers apart in a log, not enough to call. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^0-9+]/g, '');
  if (digits.length <= 6) return '****';
  return `${digits.slice(0, digits.length - 7)}****${digits.slice(-3)}`;
}
