import type { Logger } from '../log/logger.ts';
import type { QueueItem, QueueRepository } from './queue.repository.ts';

/**
 * Changes to cases for the live queue, read from the database so a desk connected to any replica sees
 * every replica's commits (DESIGN "The console"). One poller per process, running only while someone
 * listens. `updated_at` is the writing transaction's start time, so a row may commit a little after a
 * later-stamped one has been read: each poll looks back OVERLAP_MS and drops versions already sent.
 */
const OVERLAP_MS = 3_000;
const PAGE = 500;
/** At most this many rows a poll (a bound, not a limit reached in practice: 20,000 changes in 3 s). */
const MAX_PAGES = 40;
/** Fewest milliseconds between two nudged looks: a burst of new cases costs one look, not one each. */
const NUDGE_GAP_MS = 50;

export interface CaseFeed {
  /** Calls `fn` with each changed case; returns the unsubscribe. */
  subscribe(fn: (items: QueueItem[]) => void): () => void;
  /** This process just committed a case: look soon instead of at the next tick (other replicas' commits
   * still come with the tick). Nudges coalesce: at most one look per NUDGE_GAP_MS. */
  nudge(): void;
  close(): void;
}

export function createCaseFeed(deps: {
  queue: QueueRepository;
  log: Logger;
  /** How often to look (a new case is on screen within this plus the network). */
  pollMs?: number;
}): CaseFeed {
  const pollMs = deps.pollMs ?? 200;
  const listeners = new Set<(items: QueueItem[]) => void>();
  /** id → updatedAt of what was sent, to drop repeats within the overlap. */
  const sent = new Map<string, string>();
  let since = new Date();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let closed = false;
  let lastPollAt = 0;
  let nudged: NodeJS.Timeout | undefined;

  const poll = async () => {
    if (running) return;
    running = true;
    lastPollAt = Date.now();
    try {
      // Every row of the look-back window, page by page (a burst of escalations may change hundreds).
      const rows: QueueItem[] = [];
      let cursor = { at: new Date(since.getTime() - OVERLAP_MS), id: '' };
      for (let page = 0; page < MAX_PAGES; page++) {
        const batch = await deps.queue.changedSince(cursor.at, cursor.id, PAGE);
        rows.push(...batch);
        const last = batch.at(-1);
        if (!last || batch.length < PAGE) break;
        cursor = { at: new Date(last.updatedAt), id: last.id };
      }
      const fresh = rows.filter((r) => sent.get(r.id) !== r.updatedAt);
      for (const r of fresh) {
        sent.set(r.id, r.updatedAt);
        const t = new Date(r.updatedAt);
        if (t > since) since = t;
      }
      // Forget what is older than the look-back: it cannot come again.
      const floor = since.getTime() - OVERLAP_MS * 2;
      for (const [id, at] of sent) if (Date.parse(at) < floor) sent.delete(id);
      if (fresh.length > 0) {
        for (const fn of listeners) {
          try {
            fn(fresh);
          } catch (err) {
            deps.log.warn({ err }, 'case feed listener failed');
          }
        }
      }
    } catch (err) {
      deps.log.warn({ err }, 'case feed poll failed');
    } finally {
      running = false;
    }
  };

  const start = () => {
    if (timer || closed) return;
    since = new Date(Date.now() - OVERLAP_MS);
    timer = setInterval(() => void poll(), pollMs);
    timer.unref();
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    if (nudged) clearTimeout(nudged);
    timer = undefined;
    nudged = undefined;
    sent.clear();
  };

  return {
    subscribe(fn) {
      listeners.add(fn);
      start();
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) stop();
      };
    },
    nudge() {
      if (!timer || nudged) return;
      const wait = Math.max(0, lastPollAt + NUDGE_GAP_MS - Date.now());
      nudged = setTimeout(() => {
        nudged = undefined;
        // A look already under way may have started before this commit: look again once it is done.
        if (running) setTimeout(() => void poll(), NUDGE_GAP_MS).unref();
        else void poll();
      }, wait);
      nudged.unref();
    },
    close() {
      closed = true;
      listeners.clear();
      stop();
    },
  };
}
