import type { NotifierFactory } from './notifier.ts';
import { maskPhone } from './notifier.ts';

/**
 * The default channel: "sends" a text by writing it to the log. The message itself (recipient, language,
 * body, status) is recorded in the notifications table by the sender, like for every channel; the log
 * line carries only the masked number and the size, no message text (it names the resident).
 */
export const createSmsLogNotifier: NotifierFactory = ({ log }) => {
  const channelLog = log.child({ component: 'notifier', channel: 'sms-log' });
  return {
    channel: 'sms-log',
    async send(msg) {
      channelLog.info(
        {
          caseId: msg.caseId,
          notificationId: msg.notificationId,
          recipient: maskPhone(msg.to),
          language: msg.language,
          chars: msg.body.length,
        },
        'sms logged (sms-log channel, not sent to a provider)',
      );
      return { providerMessageId: `sms-log:${msg.notificationId}` };
    },
  };
};
