import type { Logger } from '../log/logger.ts';
import type { FirstResponse } from './first-response.ts';

/** Responses of this process running at once (see `waiting`). */
const MAX_RESPONDING = 4;

/**
 * The immediate path to the first response of a case this process has just opened (ingest right after
 * the commit, the console, supervision): now rather than at the next poll, its texts handed to the
 * sender. Never rejects: a failure is logged and the `overdue-responses` job responds after its grace.
 */
export function createFirstResponseQueue(deps: {
  firstResponse: FirstResponse;
  send: (ids: readonly string[]) => unknown;
  /** Waits for the texts handed to `send` (settle). */
  drainTexts: () => Promise<void>;
  log: Logger;
}) {
  const log = deps.log.child({ component: 'escalation' });
  let stopped = false;
  /** Responses started by `respond`, awaited by stop() so none outlives the database. */
  const responding = new Set<Promise<void>>();
  /**
   * Cases this process opened and has not responded to yet, oldest first. At most MAX_RESPONDING
   * responses run at once: a burst of alarms must not queue hundreds of transactions in front of the
   * texts already on their way (PGlite serves one statement at a time), and the cases wait in the
   * database anyway — a crash loses nothing, the overdue-responses job responds to them.
   */
  const waiting: string[] = [];
  function startResponses(): void {
    while (responding.size < MAX_RESPONDING && waiting.length > 0) {
      const caseId = waiting.shift()!;
      const p = deps.firstResponse
        .run(caseId)
        .then((ids) => {
          if (ids && ids.length > 0) void deps.send(ids);
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

  return {
    /** Level 1 for a case this process has just committed (see above). */
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
      await deps.drainTexts();
    },

    async stop(): Promise<void> {
      stopped = true;
      while (responding.size > 0) await Promise.allSettled([...responding]);
    },
  };
}

export type FirstResponseQueue = ReturnType<typeof createFirstResponseQueue>;
