import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import type { NotificationDispatcher, NotificationsRepository } from '../notify/index.ts';
import type { EscalationService } from './escalation.service.ts';

/** Resend texts left pending by a process that died between commit and send, this often. */
const RESUME_EVERY_MS = 10_000;

/**
 * Runs on every replica: every `pollIntervalMs` (and sooner when this process created a timer due
 * before the next poll) it fires due timers and hands their texts to the notification dispatcher,
 * releases texts held for quiet hours, and now and then resends texts another process left pending.
 * Failures are logged and the next poll tries again; nothing is kept in memory that a restart would lose.
 */
export function startTimerPoller(deps: {
  escalation: EscalationService;
  dispatcher: NotificationDispatcher;
  notifications: NotificationsRepository;
  clock: Clock;
  pollIntervalMs: number;
  log: Logger;
  /** Other durable timers polled with the escalation ones (surveys); each returns texts to send. */
  jobs?: readonly { runDue(): Promise<string[]> }[];
}) {
  const log = deps.log.child({ component: 'escalation' });
  let timer: NodeJS.Timeout | undefined;
  let nextAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let lastResume = Date.now();

  async function pollOnce(): Promise<void> {
    for (const f of await deps.escalation.runDue()) {
      if (f.notificationIds.length > 0) void deps.dispatcher.dispatch(f.notificationIds);
    }
    for (const job of deps.jobs ?? []) {
      const ids = await job.runDue();
      if (ids.length > 0) void deps.dispatcher.dispatch(ids);
    }
    const held = await deps.notifications.dueHeld(deps.clock.now());
    if (held.length > 0) void deps.dispatcher.dispatch(held);
    if (Date.now() - lastResume > RESUME_EVERY_MS) {
      lastResume = Date.now();
      await deps.dispatcher.resumePending();
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (timer && at >= nextAt) return;
    if (timer) clearTimeout(timer);
    nextAt = at;
    timer = setTimeout(tick, Math.max(0, delayMs));
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    nextAt = Number.POSITIVE_INFINITY;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = pollOnce()
      .catch((err: unknown) => log.warn({ err }, 'timer poll failed; retrying at the next poll'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else {
          schedule(deps.pollIntervalMs);
        }
      });
  }

  schedule(deps.pollIntervalMs);
  return {
    /** A timer due at `dueAt` was just created here: poll then if that is before the next poll. */
    wake(dueAt: Date): void {
      schedule(dueAt.getTime() - deps.clock.now().getTime() + 5);
    },
    /** Polls now and resolves when that poll is done (tests, after moving the clock). */
    async pollNow(): Promise<void> {
      while (running !== undefined) await running;
      await pollOnce();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running !== undefined) await running;
    },
  };
}

export type TimerPoller = ReturnType<typeof startTimerPoller>;
