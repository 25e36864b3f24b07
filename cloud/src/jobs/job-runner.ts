import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';

/**
 * One job on a timer: it looks in the database for what is due and does it. Jobs keep nothing in memory
 * that a restart would lose, and any replica may run them at the same time (each claims its rows with
 * SKIP LOCKED or an equivalent), so a job is simply run again at the next poll after a failure.
 */
export interface Job {
  /** Names the job in the logs. */
  readonly name: string;
  /** Runs at most this often (default: at every poll). */
  readonly everyMs?: number;
  run(): Promise<void>;
}

/**
 * Runs every registered job, in order, every `pollIntervalMs` — and sooner when this process created a
 * timer due before the next poll (`wake`). A poll that fails stops at the failing job (the database is
 * usually down: the rest would fail too) and the next poll tries again; an outage is logged once at
 * warn and once more when it ends.
 */
export function startJobRunner(deps: {
  jobs: readonly Job[];
  pollIntervalMs: number;
  clock: Clock;
  log: Logger;
}) {
  const log = deps.log.child({ component: 'escalation' });
  let timer: NodeJS.Timeout | undefined;
  let nextAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  /** Polls failed in a row (a database outage), logged once at warn and once more when it ends. */
  let failedPolls = 0;
  /** The job a poll is at (named in the log when the poll fails). */
  let current: string | undefined;
  const lastRun = new Map<string, number>(deps.jobs.map((j) => [j.name, Date.now()]));

  async function pollOnce(): Promise<void> {
    for (const job of deps.jobs) {
      if (job.everyMs !== undefined) {
        if (Date.now() - (lastRun.get(job.name) ?? 0) <= job.everyMs) continue;
        lastRun.set(job.name, Date.now());
      }
      current = job.name;
      await job.run();
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

  /**
   * Runs one poll as `running`, for a tick and for pollNow() alike: a tick that comes meanwhile waits
   * (`again`) and polls as soon as this one is done.
   */
  function claimPoll(): Promise<void> {
    const poll = pollOnce();
    running = poll
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        }
      });
    return poll;
  }

  function tick(): void {
    timer = undefined;
    nextAt = Number.POSITIVE_INFINITY;
    if (running !== undefined) {
      again = true;
      return;
    }
    claimPoll()
      .then(
        () => {
          if (failedPolls > 0) log.info({ failedPolls }, 'timer poll works again');
          failedPolls = 0;
        },
        (err: unknown) => {
          const job = current;
          // A database outage fails every poll until it ends: say so once, not five times a second.
          if (failedPolls++ === 0) log.warn({ err, job }, 'timer poll failed; retrying at each poll');
          else log.debug({ err, job, failedPolls }, 'timer poll failed again');
        },
      )
      // After `again`'s immediate poll, if any: schedule() keeps the earlier of two.
      .finally(() => schedule(deps.pollIntervalMs));
  }

  schedule(deps.pollIntervalMs);
  return {
    /** The registered jobs' names, in the order they run. */
    names: (): string[] => deps.jobs.map((j) => j.name),
    /** A timer due at `dueAt` was just created here: poll then if that is before the next poll. */
    wake(dueAt: Date): void {
      schedule(dueAt.getTime() - deps.clock.now().getTime() + 5);
    },
    /** Polls now and resolves when that poll is done (tests, after moving the clock). */
    async pollNow(): Promise<void> {
      while (running !== undefined) await running;
      // Claimed like a tick's poll: a tick that ran alongside could claim the due rows (SKIP LOCKED) and
      // hand them to the sender after this resolved, so a test's drain() would find nothing in flight.
      await claimPoll();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running !== undefined) await running;
    },
  };
}

export type JobRunner = ReturnType<typeof startJobRunner>;

/** A job whose work is texts to send after its commit (escalation, surveys, supervision …). */
export const textingJob = (
  name: string,
  runDue: () => Promise<readonly string[]>,
  send: (ids: readonly string[]) => unknown,
  everyMs?: number,
): Job => ({
  name,
  ...(everyMs === undefined ? {} : { everyMs }),
  async run() {
    const ids = await runDue();
    if (ids.length > 0) void send(ids);
  },
});
