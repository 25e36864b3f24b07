import type { Logger } from '../log/logger.ts';
import {
  CameraError,
  type CameraErrorCode,
  type Frame,
  type FrameLimits,
  type FrameSource,
} from './frame.ts';
import { openFrameSource } from './open-source.ts';

/** What `anju-gw status` shows per camera. */
export interface CameraStatus {
  room: string;
  /** The privacy switch: false = the camera is not opened at all. */
  enabled: boolean;
  state: 'off' | 'starting' | 'up' | 'down';
  /** Frames read and analysed since the agent started. */
  frames: number;
  /** Faces found in those frames. */
  faces: number;
  /** Failed reads, by cause. */
  errors: Partial<Record<CameraErrorCode, number>>;
  lastError?: string | undefined;
  lastErrorAt?: string | undefined;
  lastFrameAt?: string | undefined;
}

export interface CameraReaderOptions {
  room: string;
  url: string;
  frameIntervalMs: number;
  width: number;
  height: number;
  limits: FrameLimits;
  backoff: { minMs: number; maxMs: number };
  /** Asked before every read: false closes the camera and keeps it closed. */
  isEnabled: () => boolean;
  /** Analyses one frame; answers how many faces it found. The frame is dropped afterwards. */
  onFrame: (frame: Frame) => Promise<number> | number;
  now: () => number;
  log: Logger;
  /** For tests of the loop itself; the real sources otherwise. */
  openSource?: () => FrameSource;
}

/**
 * Reads one camera at its rate while its privacy switch is on: opens the source at the first read, hands
 * each frame to the analyser, and on a failed read counts the cause, closes the source and retries with
 * exponential backoff (min → max). A bad camera only ever costs its own loop: every error is caught here,
 * so the fall and inactivity scorers never notice it.
 */
export class CameraReader {
  private source: FrameSource | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  private readonly s: CameraStatus;

  constructor(private readonly o: CameraReaderOptions) {
    this.s = { room: o.room, enabled: o.isEnabled(), state: 'off', frames: 0, faces: 0, errors: {} };
  }

  status(): CameraStatus {
    return { ...this.s, enabled: this.o.isEnabled(), errors: { ...this.s.errors } };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** The privacy switch changed: act on it now rather than at the next tick. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.wakeUp?.();
    await this.loop;
    await this.closeSource();
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (!this.o.isEnabled()) {
        if (this.source) this.o.log.info({ room: this.o.room }, 'camera switched off: closed');
        await this.closeSource();
        this.s.state = 'off';
        this.failures = 0;
        await this.sleep(this.o.frameIntervalMs);
        continue;
      }
      const startedAt = this.o.now();
      try {
        if (!this.source) {
          this.s.state = this.s.state === 'down' ? 'down' : 'starting';
          this.source = (this.o.openSource ?? (() => openFrameSource(this.o)))();
        }
        const frame = await this.source.read(this.abort.signal);
        if (!this.running || !this.o.isEnabled()) continue; // switched off while reading: drop it unseen
        this.s.frames += 1;
        this.s.lastFrameAt = new Date(frame.atMs).toISOString();
        if (this.s.state !== 'up')
          this.o.log.info({ room: this.o.room, source: this.source.kind }, 'camera frames coming');
        this.s.state = 'up';
        this.failures = 0;
        try {
          this.s.faces += await this.o.onFrame(frame);
        } catch (err) {
          this.o.log.error({ room: this.o.room, err: (err as Error).message }, 'frame analysis failed');
        }
        await this.sleep(this.o.frameIntervalMs - (this.o.now() - startedAt));
      } catch (err) {
        if (!this.running) break;
        await this.failed(err);
      }
    }
  }

  private async failed(err: unknown): Promise<void> {
    const e =
      err instanceof CameraError
        ? err
        : new CameraError('unreachable', (err as Error)?.message ?? String(err));
    this.s.errors[e.code] = (this.s.errors[e.code] ?? 0) + 1;
    this.s.lastError = `${e.code}: ${e.message}`;
    this.s.lastErrorAt = new Date(this.o.now()).toISOString();
    this.s.state = 'down';
    await this.closeSource();
    const delay = Math.min(this.o.backoff.maxMs, this.o.backoff.minMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 30);
    // Logged once per change of cause and at each doubling, not every retry of a camera that stays down.
    this.o.log.warn(
      { room: this.o.room, code: e.code, detail: e.message, retryInMs: delay },
      'camera read failed',
    );
    await this.sleep(delay);
  }

  private async closeSource(): Promise<void> {
    const src = this.source;
    this.source = undefined;
    if (src) await src.close().catch(() => {});
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}
