import { SerialPort } from 'serialport';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { SerialLineConfig } from './serial.config.ts';
import { unref } from './timers.ts';

export interface SerialLineEvents {
  /** Bytes as the port delivers them (partial frames, several frames, noise). */
  onData(chunk: Buffer): void;
  /** The port is open (first time or after a reopen): stale decoder state should be dropped. */
  onOpen?(): void;
  /** The port closed under us (unplugged adapter, socat gone); a reopen is scheduled. */
  onLost?(): void;
}

/**
 * A serial port that keeps itself open: when the port fails to open or disappears, it retries with
 * exponential backoff (reopenMinMs doubling up to reopenMaxMs). Shared by the wristband, DL/T 645 and
 * pulse-counter drivers.
 */
export class SerialLine {
  private port: SerialPort | undefined;
  private stopped = true;
  private retryTimer: unknown;
  private backoffMs: number;
  private everOpened = false;
  state: 'up' | 'down' = 'down';
  detail = 'not started';
  reopens = 0;

  constructor(
    private readonly config: SerialLineConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly events: SerialLineEvents,
  ) {
    this.backoffMs = config.reopenMinMs;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  /** Writes bytes; false when the port is not open (the caller counts it as a missed poll). */
  write(bytes: Buffer): boolean {
    const p = this.port;
    if (!p?.isOpen) return false;
    p.write(bytes, (err) => {
      if (err) this.log.warn({ err: err.message }, 'serial write failed');
    });
    return true;
  }

  /** Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const p = this.port;
    this.port = undefined;
    this.state = 'down';
    this.detail = 'stopped';
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  private scheduleReopen(why: string): void {
    this.state = 'down';
    this.detail = why;
    this.port = undefined;
    if (this.stopped) return;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = unref(this.clock.setTimeout(() => this.open(), this.backoffMs));
    this.backoffMs = Math.min(this.config.reopenMaxMs, this.backoffMs * 2);
  }

  private open(): void {
    if (this.stopped) return;
    const c = this.config;
    const p = new SerialPort({
      path: c.path,
      baudRate: c.baudRate,
      dataBits: c.dataBits,
      parity: c.parity,
      stopBits: c.stopBits,
      autoOpen: false,
    });
    p.on('data', (chunk: Buffer) => this.events.onData(chunk));
    p.on('error', (err) => this.log.warn({ err: err.message }, 'serial port error'));
    p.on('close', () => {
      if (this.port !== p) return;
      this.log.warn({ path: c.path }, 'serial port closed; will reopen');
      this.reopens++;
      this.events.onLost?.();
      this.scheduleReopen('port closed');
    });
    p.open((err) => {
      if (err) {
        // Log the first failure and the transition from up; not every retry of a missing adapter.
        if (!this.everOpened && this.detail === 'not started')
          this.log.warn({ path: c.path, err: err.message }, 'cannot open serial port; retrying');
        this.scheduleReopen(err.message);
        return;
      }
      if (this.stopped) {
        p.close();
        return;
      }
      this.port = p;
      this.everOpened = true;
      this.state = 'up';
      this.detail = c.path;
      this.backoffMs = c.reopenMinMs;
      this.log.info({ path: c.path, baudRate: c.baudRate, parity: c.parity }, 'serial port open');
      this.events.onOpen?.();
    });
  }
}
