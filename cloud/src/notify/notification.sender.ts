import { setTimeout as sleep } from 'node:timers/promises';
import { isDbUnavailable } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import type { NotificationsRepository } from './notifications.repository.ts';
import type { NotifierRegistry } from './notifier.registry.ts';

/** A provider that has not answered in this time is counted as failed (the row says so). */
const SEND_TIMEOUT_MS = 10_000;
/**
 * Claiming or recording a text while the database is down (a restart) is tried again this long after,
 * growing to five times it, until it sticks or the cloud stops: otherwise a text already sent stays
 * 'sending' for good, and an alert that could not be claimed waits for the 30 s resume of stale rows.
 */
const BOOKKEEPING_RETRY_MS = 1_000;

/**
 * Sends notifications AFTER the transaction that created them committed: claims each 'pending' row,
 * hands it to its channel's Notifier, and records the outcome (status column + timeline entry + metric).
 * A failure is logged and counted, never lost: the row stays 'failed' with its error for a person or a
 * later retry policy to act on. `send` never rejects.
 */
export function createNotificationSender(deps: {
  notifications: NotificationsRepository;
  registry: NotifierRegistry;
  metrics: CloudMetrics;
  log: Logger;
  /** Tests: the first wait before claiming or recording again (default BOOKKEEPING_RETRY_MS). */
  bookkeepingRetryMs?: number;
}) {
  const { notifications, registry, metrics } = deps;
  const log = deps.log.child({ component: 'notify' });
  const inflight = new Set<Promise<void>>();
  const stop = new AbortController();
  const retryMs = deps.bookkeepingRetryMs ?? BOOKKEEPING_RETRY_MS;

  /** Runs a bookkeeping statement, again and again while the database is unavailable (not for other errors). */
  async function persist<T>(what: string, notificationId: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isDbUnavailable(err) || stop.signal.aborted) throw err;
        if (attempt === 1)
          log.warn({ err, notificationId, what }, 'database unavailable: retrying until it answers');
        await sleep(retryMs * Math.min(attempt, 5), undefined, { signal: stop.signal }).catch(() => {
          throw err; // shutting down: give up, the row is resumed by a later run if still pending
        });
      }
    }
  }

  async function sendOne(id: string): Promise<void> {
    const n = await persist('claim', id, () => notifications.claim(id));
    if (!n) return; // someone else (another replica, an earlier resume) has it
    const caseLog = log.child({ caseId: n.caseId, notificationId: n.id, channel: n.channel });
    let error: string | null = null;
    try {
      const notifier = registry.get(n.channel);
      await notifier.send(
        { notificationId: n.id, caseId: n.caseId, to: n.recipientPhone, language: n.language, body: n.body },
        AbortSignal.any([stop.signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
      );
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    }
    const status = error === null ? 'sent' : 'failed';
    await persist('finish', n.id, () =>
      notifications.finish(n.id, status, error, {
        notificationId: n.id,
        channel: n.channel,
        language: n.language,
        ...(error === null ? {} : { error }),
      }),
    );
    metrics.notifications.inc({ channel: n.channel, status });
    if (error === null) caseLog.info('notification sent');
    else caseLog.warn({ error }, 'notification failed');
  }

  function track(p: Promise<void>): Promise<void> {
    inflight.add(p);
    return p.finally(() => inflight.delete(p));
  }

  return {
    /** Sends the given pending notifications one after the other. Resolves when all are settled. */
    send(ids: readonly string[]): Promise<void> {
      return track(
        (async () => {
          for (const id of ids) {
            try {
              await sendOne(id);
            } catch (err) {
              // The DB failed while claiming/recording: the row stays pending/sending; resume picks it up.
              log.error({ err, notificationId: id }, 'notification bookkeeping failed');
            }
          }
        })(),
      );
    },

    /** Resends rows a previous process committed but never sent (died between commit and send). */
    async resumePending(olderThanS = 30): Promise<number> {
      const ids = await notifications.stalePending(olderThanS);
      if (ids.length > 0) {
        log.warn({ count: ids.length }, 'resending notifications left pending by an earlier run');
        await this.send(ids);
      }
      return ids.length;
    },

    /** Waits until everything in flight is settled. */
    async drain(): Promise<void> {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },

    /** Aborts sends in progress (they are recorded as failed) and waits for the bookkeeping. */
    async close(): Promise<void> {
      stop.abort(new Error('cloud shutting down'));
      await this.drain();
    },
  };
}

export type NotificationSender = ReturnType<typeof createNotificationSender>;
