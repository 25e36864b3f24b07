import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import type { AlertEvent } from '../../../contracts/src/index.ts';
import { eventPriority, parseAlertEvent } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import {
  DEFAULT_OUTBOX_LIMITS,
  type DropReason,
  isNoSpace,
  OutboxEventDropped,
  type OutboxLimits,
  OutboxWriteError,
} from './outbox-limits.ts';
import type { OutboxStore, StoredEvent } from './store.ts';

const NAME = /^(\d{12})\.json$/;
const fileName = (seq: number) => `${String(seq).padStart(12, '0')}.json`;

/** The file-system calls the outbox makes (node:fs; a unit test may pass one that fails on purpose). */
export type OutboxFs = Pick<
  typeof nodeFs,
  | 'closeSync'
  | 'fsyncSync'
  | 'mkdirSync'
  | 'openSync'
  | 'readdirSync'
  | 'readFileSync'
  | 'renameSync'
  | 'rmSync'
  | 'unlinkSync'
  | 'writeSync'
>;

interface Entry extends StoredEvent {
  bytes: number;
  urgent: boolean;
}

export interface FileOutboxOptions {
  limits?: OutboxLimits;
  fs?: OutboxFs;
}

/**
 * A durable outbox: one file per event in `<dataDir>/outbox`. An event is written to `tmp/`, fsynced,
 * renamed into place and the directory fsynced, so after kill -9 or power loss an entry is either whole
 * or absent — never half-written. The file name is the delivery order. Events are few and small
 * (alarms, not samples), so a file each is simple and fast enough; the index lives in memory.
 *
 * Under pressure (the configured bound, or ENOSPC from the disk) telemetry-class entries are dropped
 * oldest first and counted by reason; an urgent event (contracts' `eventPriority`) never is. When even an
 * urgent event cannot be written, `append` throws `OutboxWriteError` and the caller retries.
 */
export class FileOutbox implements OutboxStore {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly limits: OutboxLimits;
  private readonly fs: OutboxFs;
  private nextSeq = 1;
  private totalBytes = 0;
  private inFlight: (seq: number) => boolean = () => false;
  readonly corrupt: string[] = [];
  /** Telemetry-class events let go since start, by reason. */
  readonly dropped: Record<DropReason, number> = { bound: 0, diskFull: 0 };

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    opts: FileOutboxOptions = {},
  ) {
    this.limits = opts.limits ?? DEFAULT_OUTBOX_LIMITS;
    this.fs = opts.fs ?? nodeFs;
    const fs = this.fs;
    fs.mkdirSync(join(dir, 'tmp'), { recursive: true });
    fs.mkdirSync(join(dir, 'corrupt'), { recursive: true });
    // A file left in tmp/ was never renamed into place, so its append never returned: it was not raised.
    for (const name of fs.readdirSync(join(dir, 'tmp'))) fs.rmSync(join(dir, 'tmp', name), { force: true });
    for (const name of fs.readdirSync(dir).sort()) {
      const m = NAME.exec(name);
      if (!m) continue;
      const seq = Number(m[1]);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      const bytes = fs.readFileSync(join(dir, name));
      const parsed = parseAlertEvent(bytes);
      if (parsed.ok) this.push({ seq, event: parsed.value }, bytes.byteLength);
      else {
        // Keep it for a person to look at; never block the queue behind it.
        fs.renameSync(join(dir, name), join(dir, 'corrupt', name));
        this.corrupt.push(name);
        log.error(
          { file: name, reason: parsed.reason, detail: parsed.detail },
          'corrupt outbox entry set aside',
        );
      }
    }
    if (this.entries.length)
      log.info(
        { pending: this.entries.length, bytes: this.totalBytes },
        'outbox reopened with pending events',
      );
  }

  async append(event: AlertEvent): Promise<StoredEvent> {
    const body = JSON.stringify(event);
    const bytes = Buffer.byteLength(body);
    const urgent = eventPriority(event) === 'urgent';

    while (this.overBound(bytes) && this.dropOldestTelemetry('bound')) {}
    if (this.overBound(bytes)) {
      if (!urgent) return this.refuse(event, 'bound');
      this.log.warn(
        { eventId: event.id, kind: event.kind, depth: this.entries.length, bytes: this.totalBytes },
        'outbox past its bound with urgent events only: urgent event kept anyway',
      );
    }

    const seq = this.nextSeq++;
    for (;;) {
      try {
        this.writeDurably(seq, body);
        break;
      } catch (err) {
        if (isNoSpace(err) && this.dropOldestTelemetry('diskFull')) continue;
        if (isNoSpace(err) && !urgent) return this.refuse(event, 'diskFull');
        throw new OutboxWriteError(event.id, { cause: err });
      }
    }
    const stored = { seq, event };
    this.push(stored, bytes, urgent);
    for (const l of this.listeners) l();
    return stored;
  }

  peek(limit: number): readonly StoredEvent[] {
    return this.entries.slice(0, limit);
  }

  async ack(seq: number): Promise<void> {
    const i = this.entries.findIndex((e) => e.seq === seq);
    if (i < 0) return;
    this.remove(i);
  }

  size(): number {
    return this.entries.length;
  }

  /** Bytes of the events waiting (their JSON), for the bound and the status. */
  bytes(): number {
    return this.totalBytes;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  guardInFlight(isInFlight: (seq: number) => boolean): void {
    this.inFlight = isInFlight;
  }

  private push(stored: StoredEvent, bytes: number, urgent = eventPriority(stored.event) === 'urgent'): void {
    this.entries.push({ ...stored, bytes, urgent });
    this.totalBytes += bytes;
  }

  private remove(i: number): Entry {
    const [entry] = this.entries.splice(i, 1) as [Entry];
    this.totalBytes -= entry.bytes;
    try {
      this.fs.unlinkSync(join(this.dir, fileName(entry.seq)));
    } catch (err) {
      // Already gone is fine; anything else means it may be sent again, which the cloud dedupes by id.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.warn({ err, seq: entry.seq }, 'outbox unlink failed');
    }
    return entry;
  }

  private overBound(incomingBytes: number): boolean {
    return (
      this.entries.length + 1 > this.limits.maxEntries ||
      this.totalBytes + incomingBytes > this.limits.maxBytes
    );
  }

  /**
   * Drops the oldest telemetry entry, never the head nor one the forwarder has in flight (dropping it
   * would count as dropped an event the cloud is about to store). False when there is none to drop.
   */
  private dropOldestTelemetry(reason: DropReason): boolean {
    const i = this.entries.findIndex((e, idx) => idx > 0 && !e.urgent && !this.inFlight(e.seq));
    if (i < 0) return false;
    const entry = this.remove(i);
    this.count(reason, entry.event);
    return true;
  }

  private refuse(event: AlertEvent, reason: DropReason): never {
    this.count(reason, event);
    throw new OutboxEventDropped(reason, event.id);
  }

  private count(reason: DropReason, event: AlertEvent): void {
    this.dropped[reason]++;
    this.log.warn(
      {
        reason,
        eventId: event.id,
        kind: event.kind,
        severity: event.severity,
        dropped: this.dropped[reason],
        depth: this.entries.length,
      },
      'outbox dropped a telemetry event',
    );
  }

  private writeDurably(seq: number, body: string): void {
    const { fs } = this;
    const tmp = join(this.dir, 'tmp', fileName(seq));
    try {
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, body);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, join(this.dir, fileName(seq)));
    } catch (err) {
      fs.rmSync(tmp, { force: true }); // a half-written file would only take more of a full disk
      throw err;
    }
    this.fsyncDir();
  }

  private fsyncDir(): void {
    const fd = this.fs.openSync(this.dir, 'r');
    try {
      this.fs.fsyncSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
  }
}
