import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import type { NotificationDispatcher, NotificationsRepository } from '../notify/index.ts';
import type { EscalationService } from './escalation.service.ts';

/** Resend texts left pending by a process that died between commit and send, this often. */
const RESUME_EVERY_MS = 10_000;
/**
 * A case still waiting for its response this long after opening was left by a process that died (or
 * failed) between its commit and its response: the poll responds to it. Shorter would only race the
 * opener's own response (harmless: the case row decides who does it, once).
 */
const RESPONSE_GRACE_MS = 2_000;
/** Responses of this process running at once (see `waiting`). */
const MAX_RESPONDING = 4;

/**
 * Runs on every replica: every `pollIntervalMs` (and sooner when this process created a timer due
 * before the next poll) it fires due timers and hands their texts to the notification dispatcher,
 * responds to cases left waiting for their response, releases texts held for quiet hours, and now and
 * then resends texts another process left pending. `respond` is the immediate path for a case this
 * process has just opened. Failures are logged and the next poll tries again; nothing is kept in memory
 * that a restart would lose.
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
  /** Polls failed in a row (a database outage), logged once at warn and once more when it ends. */
  let failedPolls = 0;

  /** Responses started by `respond`, awaited by stop() so none outlives the database. */
  const responding = new Set<Promise<void>>();
  /**
   * Cases this process opened and has not responded to yet, oldest first. At most MAX_RESPONDING
   * responses run at once: a burst of alarms must not queue hundreds of transactions in front of the
   * texts already on their way (PGlite serves one statement at a time), and the cases wait in the
   * database anyway — a crash loses nothing, the poll responds to them.
   */
  const waiting: string[] = [];
  function startResponses(): void {
    while (responding.size < MAX_RESPONDING && waiting.length > 0) {
      const caseId = waiting.shift()!;
      const p = deps.escalation
        .respond(caseId)
        .then((ids) => {
          if (ids && ids.length > 0) void deps.dispatcher.dispatch(ids);
        })
        .catch((err: unknown) =>
          log.warn({ err, caseId }, 'response failed; the poll responds to the case once it is overdue'),
        );
      responding.add(p);
      void p.finally(() => {
        responding.delete(p);
        if (!stopped) startResponses();
      });
    }
  }

  async function pollOnce(): Promise<void> {
    for (const f of await deps.escalation.runDue()) {
      if (f.notificationIds.length > 0) void deps.dispatcher.dispatch(f.notificationIds);
    }
    for (const job of deps.jobs ?? []) {
      const ids = await job.runDue();
      if (ids.length > 0) void deps.dispatcher.dispatch(ids);
    }
    const late = await deps.escalation.respondOverdue(RESPONSE_GRACE_MS);
    if (late.length > 0) void deps.dispatcher.dispatch(late);
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
      .then(() => {
        if (failedPolls > 0) log.info({ failedPolls }, 'timer poll works again');
        failedPolls = 0;
      })
      .catch((err: unknown) => {
        // A database outage fails every poll until it ends: say so once, not five times a second.
        if (failedPolls++ === 0) log.warn({ err }, 'timer poll failed; retrying at each poll');
        else log.debug({ err, failedPolls }, 'timer poll failed again');
      })
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
    /**
     * Level 1 for a case this process has just committed, now rather than at the next poll; its texts go
     * to the dispatcher. Never rejects: a failure is logged and the poll responds after the grace time.
     */
    respond(caseId: string): void {
      if (stopped) return; // the next process's poll responds
      waiting.push(caseId);
      startResponses();
    },

    /** Waits for the responses started by `respond` and the texts they queued (tests, shutdown). */
    async settle(): Promise<void> {
      while (responding.size > 0 || waiting.length > 0) {
        startResponses();
        await Promise.allSettled([...responding]);
      }
      await deps.dispatcher.drain();
    },

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
      while (responding.size > 0) await Promise.allSettled([...responding]);
    },
  };
}

export type TimerPoller = ReturnType<typeof startTimerPoller>;
