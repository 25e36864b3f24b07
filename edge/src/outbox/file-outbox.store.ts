import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AlertEvent } from '../../../contracts/src/index.ts';
import { parseAlertEvent } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import type { OutboxStore, StoredEvent } from './store.ts';

const NAME = /^(\d{12})\.json$/;

/**
 * A durable outbox: one file per event in `<dataDir>/outbox`. An event is written to `tmp/`, fsynced,
 * renamed into place and the directory fsynced, so after kill -9 or power loss an entry is either whole
 * or absent — never half-written. The file name is the delivery order. Events are few and small
 * (alarms, not samples), so a file each is simple and fast enough; the index lives in memory.
 */
export class FileOutbox implements OutboxStore {
  private readonly entries: StoredEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private nextSeq = 1;
  readonly corrupt: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    mkdirSync(join(dir, 'corrupt'), { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const m = NAME.exec(name);
      if (!m) continue;
      const seq = Number(m[1]);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      const parsed = parseAlertEvent(readFileSync(join(dir, name)));
      if (parsed.ok) this.entries.push({ seq, event: parsed.value });
      else {
        // Keep it for a person to look at; never block the queue behind it.
        renameSync(join(dir, name), join(dir, 'corrupt', name));
        this.corrupt.push(name);
        log.error(
          { file: name, reason: parsed.reason, detail: parsed.detail },
          'corrupt outbox entry set aside',
        );
      }
    }
    if (this.entries.length)
      log.info({ pending: this.entries.length }, 'outbox reopened with pending events');
  }

  async append(event: AlertEvent): Promise<StoredEvent> {
    const seq = this.nextSeq++;
    const name = `${String(seq).padStart(12, '0')}.json`;
    const tmp = join(this.dir, 'tmp', name);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(event));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, name));
    this.fsyncDir();
    const stored = { seq, event };
    this.entries.push(stored);
    for (const l of this.listeners) l();
    return stored;
  }

  peek(limit: number): readonly StoredEvent[] {
    return this.entries.slice(0, limit);
  }

  async ack(seq: number): Promise<void> {
    const i = this.entries.findIndex((e) => e.seq === seq);
    if (i < 0) return;
    this.entries.splice(i, 1);
    try {
      unlinkSync(join(this.dir, `${String(seq).padStart(12, '0')}.json`));
    } catch (err) {
      // Already gone is fine; anything else means it may be sent again, which the cloud dedupes by id.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log.warn({ err, seq }, 'outbox unlink failed');
    }
  }

  size(): number {
    return this.entries.length;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private fsyncDir(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
