import { type QueueItem, TERMINAL } from './api.ts';

/** The desk's order, as the server's first load: highest level (new, unanswered first), nearest deadline, oldest. */
export function byUrgency(a: QueueItem, b: QueueItem): number {
  const la = a.level ?? 99;
  const lb = b.level ?? 99;
  if (la !== lb) return lb - la;
  const da = a.ackDeadlineAt ? Date.parse(a.ackDeadlineAt) : Number.POSITIVE_INFINITY;
  const db = b.ackDeadlineAt ? Date.parse(b.ackDeadlineAt) : Number.POSITIVE_INFINITY;
  if (da !== db) return da - db;
  return Date.parse(a.openedAt) - Date.parse(b.openedAt) || a.id.localeCompare(b.id);
}

/** Applies changed lines to the queue: finished cases leave it, others are added or replaced. */
export function applyChanges(
  queue: Map<string, QueueItem>,
  changed: readonly QueueItem[],
): Map<string, QueueItem> {
  const next = new Map(queue);
  for (const c of changed) {
    const have = next.get(c.id);
    if (have && Date.parse(have.updatedAt) > Date.parse(c.updatedAt)) continue;
    if (TERMINAL.includes(c.status)) next.delete(c.id);
    else next.set(c.id, c);
  }
  return next;
}
