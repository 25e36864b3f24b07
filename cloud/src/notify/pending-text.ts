/**
 * A text written 'pending' inside a transaction, to be handed to the notification sender after that
 * transaction commits; `held` ones wait for quiet hours to end and are not sent right away.
 */
export interface Queued {
  id: string;
  held: boolean;
}

/** Ids to hand to the sender now (held ones go later). */
export const sendable = (q: readonly Queued[]) => q.filter((n) => !n.held).map((n) => n.id);
