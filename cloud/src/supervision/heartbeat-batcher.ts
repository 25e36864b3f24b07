import type { Heartbeat } from '../../../contracts/src/index.ts';

/** A heartbeat as received, waiting for the next batched write. */
export interface ReceivedHeartbeat {
  hb: Heartbeat;
  /** When the cloud received it: its `last_heartbeat_at` and the base of its silence deadline. */
  at: Date;
}

/** Rows per UPDATE: bounds the statement (a 10,000-gateway fleet at a 60 s interval sends ~170/s). */
const MAX_ROWS = 2000;

/**
 * Coalesces heartbeats in memory and writes them in one UPDATE per `flushMs` (per gateway only the
 * newest counts): per heartbeat, a map entry instead of a database round trip. What it costs: the
 * deadline and `last_heartbeat_at` lag by at most `flushMs` (1 s against deadlines of interval + grace),
 * and a heartbeat is acknowledged before it is written — as before for telemetry, which was never
 * held for (a failed write was acknowledged anyway). A failed write is tried again at the next flush
 * for the gateways that sent nothing newer meanwhile.
 */
export function createHeartbeatBatcher(deps: {
  /** Writes the batch; returns the gateways it found (with their raised gateway_silent state). */
  write: (batch: readonly ReceivedHeartbeat[]) => Promise<{ gatewayId: string; wasSilent: boolean }[]>;
  /** A heartbeat written for a registered gateway. */
  onRecorded: (r: ReceivedHeartbeat, wasSilent: boolean) => void;
  /** A heartbeat of a gateway the registry no longer has (deleted while connected). */
  onUnknown: (r: ReceivedHeartbeat) => void;
  onWriteFailed: (err: unknown, rows: number) => void;
  flushMs?: number;
  now?: () => Date;
}) {
  const flushMs = deps.flushMs ?? 1000;
  const now = deps.now ?? (() => new Date());
  let pending = new Map<string, ReceivedHeartbeat>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const schedule = () => {
    if (!closed) timer ??= setTimeout(() => void flush(), flushMs).unref();
  };

  async function writeBatch(batch: ReceivedHeartbeat[]): Promise<void> {
    let found: { gatewayId: string; wasSilent: boolean }[];
    try {
      found = await deps.write(batch);
    } catch (err) {
      deps.onWriteFailed(err, batch.length);
      let requeued = 0;
      for (const r of batch)
        if (!pending.has(r.hb.gatewayId)) {
          pending.set(r.hb.gatewayId, r);
          requeued++;
        }
      if (requeued > 0) schedule();
      return;
    }
    const silent = new Map(found.map((f) => [f.gatewayId, f.wasSilent]));
    for (const r of batch) {
      const wasSilent = silent.get(r.hb.gatewayId);
      if (wasSilent === undefined) deps.onUnknown(r);
      else deps.onRecorded(r, wasSilent);
    }
  }

  /** Writes what is pending (after any write still running: one at a time, in order). */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(async () => {
      const batch = [...pending.values()];
      pending = new Map();
      for (let i = 0; i < batch.length; i += MAX_ROWS) await writeBatch(batch.slice(i, i + MAX_ROWS));
    });
    return writing;
  }

  return {
    add(hb: Heartbeat): void {
      pending.set(hb.gatewayId, { hb, at: now() });
      schedule();
    },
    flush,
    /** Heartbeats waiting for the next write. */
    pendingCount: () => pending.size,
    /** Writes what is pending and stops the timer (before the database closes). */
    async close(): Promise<void> {
      closed = true;
      await flush();
    },
  };
}

export type HeartbeatBatcher = ReturnType<typeof createHeartbeatBatcher>;
