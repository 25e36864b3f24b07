import { type Job, textingJob } from '../jobs/job-runner.ts';
import type { Escalation } from './escalate.ts';
import type { FirstResponse } from './first-response.ts';

/**
 * A case still waiting for its response this long after opening was left by a process that died (or
 * failed) between its commit and its response: the poll responds to it. Shorter would only race the
 * opener's own response (harmless: the case row decides who does it, once).
 */
const RESPONSE_GRACE_MS = 2_000;

/** Fires due escalation timers (ack deadlines, level 2, level 3) and sends their texts. */
export const escalationTimersJob = (
  escalation: Escalation,
  send: (ids: readonly string[]) => unknown,
): Job => ({
  name: 'escalation-timers',
  async run() {
    for (const f of await escalation.runDue()) {
      if (f.notificationIds.length > 0) void send(f.notificationIds);
    }
  },
});

/** Responds to cases whose opener died (or failed) before their first response. */
export const overdueResponsesJob = (
  firstResponse: FirstResponse,
  send: (ids: readonly string[]) => unknown,
): Job => textingJob('overdue-responses', () => firstResponse.runOverdue(RESPONSE_GRACE_MS), send);
