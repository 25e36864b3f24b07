import { homeTopics } from '../../../contracts/src/index.ts';
import type { LocalBus } from '../bus/local-broker.ts';
import { type AccelReading, type ButtonReading, isAccelReading, isButtonReading } from '../bus/readings.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import { ConfirmPolicy, type PolicyOutcome } from '../policy/confirm-window.ts';
import type { Detection, Scorer } from '../scoring/scorer.ts';

/** A gap in the band's samples longer than this breaks the window: the scorer starts afresh. */
const MAX_SAMPLE_GAP_MS = 1_000;

export interface FallPipelineOptions {
  device: string;
  scorer: Scorer;
  confirmWindowMs: number;
  dedupeMs: number;
  bus: LocalBus;
  clock: Clock;
  log: Logger;
  /** Called with an alarm that survived the confirm window (or an SOS); `occurredAtMs` is wall time. */
  onAlarm: (detection: Detection, raisedAtMs: number) => void;
}

/**
 * Wires one wristband's readings through its fall scorer and the confirm policy. The band's clock is
 * mapped to wall time from the latest frame, so events carry when the impact really happened.
 */
export class FallPipeline {
  private readonly policy: ConfirmPolicy;
  private readonly unsubscribe: (() => void)[] = [];
  private lastSampleMs: number | undefined;
  /** wall ms − band ms, from the latest accel frame */
  private clockOffsetMs = 0;
  readonly counters = {
    samples: 0,
    detections: 0,
    held: 0,
    cancelled: 0,
    raised: 0,
    resets: 0,
    badReadings: 0,
  };

  constructor(private readonly o: FallPipelineOptions) {
    this.policy = new ConfirmPolicy(
      { confirmWindowMs: o.confirmWindowMs, dedupeMs: o.dedupeMs },
      o.clock,
      (outcome) => this.outcome(outcome),
    );
  }

  start(): void {
    const { bus, device } = this.o;
    this.unsubscribe.push(
      bus.subscribe(homeTopics.accel(device), (topic, p) =>
        isAccelReading.Check(p) ? this.accel(p) : this.bad(topic),
      ),
      bus.subscribe(homeTopics.button(device), (topic, p) =>
        isButtonReading.Check(p) ? this.button(p) : this.bad(topic),
      ),
    );
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.policy.stop();
  }

  private bad(topic: string): void {
    this.counters.badReadings++;
    this.o.log.warn(
      { topic, badReadings: this.counters.badReadings },
      'malformed reading on the local broker ignored',
    );
  }

  private accel(r: AccelReading): void {
    this.clockOffsetMs = this.o.clock.now() - (r.tMs + r.intervalMs * (r.samples.length - 1));
    r.samples.forEach(([x, y, z], i) => {
      const tMs = r.tMs + Math.round(i * r.intervalMs);
      if (
        this.lastSampleMs !== undefined &&
        (tMs <= this.lastSampleMs - MAX_SAMPLE_GAP_MS || tMs - this.lastSampleMs > MAX_SAMPLE_GAP_MS)
      ) {
        this.o.scorer.reset();
        this.counters.resets++;
      }
      this.lastSampleMs = tMs;
      this.counters.samples++;
      const detection = this.o.scorer.push({ tMs, x, y, z });
      if (detection) {
        this.counters.detections++;
        const wall = {
          ...detection,
          occurredAtMs: detection.occurredAtMs + this.clockOffsetMs,
          decidedAtMs: this.o.clock.now(),
        };
        this.o.log.info(
          { kind: wall.kind, score: wall.score.value, confirmWindowMs: this.o.confirmWindowMs },
          'fall detected; waiting for "I\'m OK"',
        );
        this.policy.detected(wall);
      }
    });
  }

  private button(r: ButtonReading): void {
    if (r.button === 'ok') {
      if (this.policy.okPressed()) this.o.log.info('"I\'m OK" pressed: alarm cancelled');
      return;
    }
    const now = this.o.clock.now();
    this.policy.detected({
      kind: 'sos',
      severity: 'critical',
      occurredAtMs: now,
      decidedAtMs: now,
      score: { value: 1, model: { name: 'sos-button', version: '1' } },
      evidence: { source: 'wristband_button', device: this.o.device },
    });
  }

  /** The band vibrates and beeps for the whole "I'm OK" window (driver: downlink prompt frame 0x82). */
  private prompt(action: 'start' | 'stop', seconds?: number): void {
    this.o.bus.publish(
      homeTopics.prompt(this.o.device),
      action === 'start' ? { action, seconds } : { action },
    );
  }

  private outcome(o: PolicyOutcome): void {
    if (o.type === 'held') {
      this.counters.held++;
      // Whole seconds, at least 1 and at most the band's 600 s limit (codec MAX_PROMPT_SECONDS).
      this.prompt('start', Math.min(600, Math.max(1, Math.ceil((o.untilMs - o.heldAtMs) / 1000))));
      return;
    }
    if (o.type === 'cancelled') {
      this.counters.cancelled++;
      this.prompt('stop');
      this.o.log.info({ cancelled: this.counters.cancelled }, 'alarm cancelled by "I\'m OK": nothing sent');
      return;
    }
    if (o.detection.kind !== 'sos') this.prompt('stop');
    this.counters.raised++;
    this.o.onAlarm(o.detection, o.raisedAtMs);
  }
}
