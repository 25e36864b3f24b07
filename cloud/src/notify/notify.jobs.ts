import type { Clock } from '../clock.ts';
import { type Job, textingJob } from '../jobs/job-runner.ts';
import type { NotificationSender } from './notification.sender.ts';
import type { NotificationsRepository } from './notifications.repository.ts';

/** Resend texts left pending by a process that died between commit and send, this often. */
const RESUME_EVERY_MS = 10_000;

/** Sends the texts held for quiet hours once their hour has come. */
export const heldTextsJob = (
  notifications: NotificationsRepository,
  sender: NotificationSender,
  clock: Clock,
): Job =>
  textingJob(
    'held-texts',
    () => notifications.dueHeld(clock.now()),
    (ids) => sender.send(ids),
  );

/** Now and then, sends texts another process committed but did not get to send. */
export const pendingTextsJob = (sender: NotificationSender): Job => ({
  name: 'pending-texts',
  everyMs: RESUME_EVERY_MS,
  async run() {
    await sender.resumePending();
  },
});
