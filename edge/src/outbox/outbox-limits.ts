/** Why the outbox let an event go (label of the drop counters, the heartbeat and the status). */
export type DropReason = 'bound' | 'diskFull';

/**
 * How big the outbox may grow. A gateway offline for days must not fill its SD card: past either bound
 * the oldest telemetry-class entries go first (counted). Urgent events are kept even past the bound —
 * the bound is there to protect them, never to refuse them.
 */
export interface OutboxLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Generous for a home: a week offline at a pessimistic event a minute is ~10 000 entries of ~600 bytes. */
export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxEntries: 20_000, maxBytes: 32 * 1024 * 1024 };

/** A telemetry-class event the outbox had no room for: counted and logged, not an error of the caller. */
export class OutboxEventDropped extends Error {
  override readonly name = 'OutboxEventDropped';
  constructor(
    readonly reason: DropReason,
    readonly eventId: string,
  ) {
    super(`outbox had no room for telemetry event ${eventId} (${reason})`);
  }
}

/** Even an urgent event could not be written (the disk is full of urgent events or failing). */
export class OutboxWriteError extends Error {
  override readonly name = 'OutboxWriteError';
  readonly code = 'EDGE_OUTBOX_WRITE_FAILED';
  constructor(
    readonly eventId: string,
    options: { cause: unknown },
  ) {
    super(`could not write event ${eventId} to the outbox`, options);
  }
}

/** Errors that mean "no room on this file system" rather than a broken disk. */
export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
