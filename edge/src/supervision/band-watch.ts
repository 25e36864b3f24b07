import type { SupervisionConfig } from './supervision.config.ts';
import { batteryVerdict, type FaultVerdict } from './verdict.ts';

/** What `anju-gw status` shows of the band and its receiver. */
export interface BandHealth {
  device: string;
  receiver: 'up' | 'down';
  inRange?: boolean;
  worn?: boolean;
  batteryPct?: number;
  lastFrameAgoS?: number;
}

/** Spread of |a| over one accelerometer frame, in g: near 0 on a table, more on a wrist. */
export function magnitudeSpread(samples: readonly (readonly [number, number, number])[]): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const [x, y, z] of samples) {
    const m = Math.sqrt(x * x + y * y + z * z);
    if (m < lo) lo = m;
    if (hi < m) hi = m;
  }
  return samples.length ? hi - lo : 0;
}

/**
 * The wristband and its receiver (pure; times are wall-clock ms given by the caller):
 * - receiver_gone: the receiver's serial port down for receiverGoneAfterS; well when it is up;
 * - band_out_of_range: no frame for outOfRangeAfterS while the receiver is up; well on a frame;
 * - band_not_worn: no wear motion for notWornAfterS while frames arrive and the home shows life (a life
 *   signal after the last wear motion); well on wear motion. Without home sensors, frames alone suffice;
 * - band_battery_low: the band's own report, with hysteresis.
 * "Not known" (undefined) until a condition has had time to show, so a restart clears nothing by itself.
 */
export class BandWatch {
  private receiverUp = false;
  private receiverSinceMs: number;
  private lastFrameMs: number | undefined;
  private lastWearMs: number | undefined;
  private lastLifeMs: number | undefined;
  private batteryPct: number | undefined;

  constructor(
    readonly device: string,
    private readonly config: SupervisionConfig['band'],
    /** Whether any home sensor can show life; if not, band_not_worn does not wait for it. */
    private readonly lifeWatched: boolean,
    private readonly startMs: number,
  ) {
    this.receiverSinceMs = startMs;
  }

  receiver(up: boolean, nowMs: number): void {
    if (up === this.receiverUp) return;
    this.receiverUp = up;
    this.receiverSinceMs = nowMs;
  }

  frame(nowMs: number): void {
    this.lastFrameMs = nowMs;
  }

  accel(nowMs: number, samples: readonly (readonly [number, number, number])[]): void {
    this.frame(nowMs);
    if (magnitudeSpread(samples) > this.config.wearMotionG) this.lastWearMs = nowMs;
  }

  battery(nowMs: number, pct: number): void {
    this.frame(nowMs);
    this.batteryPct = pct;
  }

  /** Someone moved in the home (PIR, a door, a bed or seat sensor). */
  life(nowMs: number): void {
    this.lastLifeMs = nowMs;
  }

  private framesRecent(nowMs: number): boolean {
    return this.lastFrameMs !== undefined && nowMs - this.lastFrameMs < this.config.outOfRangeAfterS * 1000;
  }

  verdicts(nowMs: number): FaultVerdict[] {
    const c = this.config;
    const d = this.device;
    const downForS = Math.round((nowMs - this.receiverSinceMs) / 1000);
    const receiverGone = this.receiverUp
      ? false
      : nowMs - this.receiverSinceMs >= c.receiverGoneAfterS * 1000
        ? true
        : undefined;

    let outOfRange: boolean | undefined;
    if (this.framesRecent(nowMs)) outOfRange = false;
    else if (this.receiverUp) {
      const since = Math.max(this.lastFrameMs ?? this.startMs, this.receiverSinceMs);
      if (nowMs - since >= c.outOfRangeAfterS * 1000) outOfRange = true;
    }

    let notWorn: boolean | undefined;
    const wearRef = this.lastWearMs ?? this.startMs;
    if (this.lastWearMs !== undefined && nowMs - this.lastWearMs < c.notWornAfterS * 1000) notWorn = false;
    else if (
      this.receiverUp &&
      this.framesRecent(nowMs) &&
      nowMs - wearRef >= c.notWornAfterS * 1000 &&
      (!this.lifeWatched || (this.lastLifeMs !== undefined && this.lastLifeMs > wearRef))
    )
      notWorn = true;

    const sinceFrameS =
      this.lastFrameMs === undefined ? undefined : Math.round((nowMs - this.lastFrameMs) / 1000);
    return [
      {
        fault: 'receiver_gone',
        device: d,
        atFault: receiverGone,
        evidence: receiverGone ? { downForS } : {},
      },
      {
        fault: 'band_out_of_range',
        device: d,
        atFault: outOfRange,
        evidence: outOfRange && sinceFrameS !== undefined ? { lastFrameAgoS: sinceFrameS } : {},
      },
      {
        fault: 'band_not_worn',
        device: d,
        atFault: notWorn,
        evidence: notWorn ? { stillForS: Math.round((nowMs - wearRef) / 1000) } : {},
      },
      {
        fault: 'band_battery_low',
        device: d,
        atFault: batteryVerdict(this.batteryPct, c.batteryLowPct, c.batteryClearPct),
        evidence: this.batteryPct === undefined ? {} : { batteryPct: this.batteryPct },
      },
    ];
  }

  health(nowMs: number): BandHealth {
    const recent = this.framesRecent(nowMs);
    // worn: wear motion lately; not worn: only once band_not_worn would say so (not merely still since start)
    const notWorn = this.verdicts(nowMs).find((v) => v.fault === 'band_not_worn')?.atFault;
    return {
      device: this.device,
      receiver: this.receiverUp ? 'up' : 'down',
      ...(this.receiverUp ? { inRange: recent } : {}),
      ...(notWorn === undefined ? {} : { worn: !notWorn }),
      ...(this.batteryPct === undefined ? {} : { batteryPct: this.batteryPct }),
      ...(this.lastFrameMs === undefined
        ? {}
        : { lastFrameAgoS: Math.round((nowMs - this.lastFrameMs) / 1000) }),
    };
  }
}
