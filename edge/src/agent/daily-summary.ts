import type { ResidentDaily } from '../../../contracts/src/index.ts';
import { EVENT_SCHEMA_VERSION } from '../../../contracts/src/index.ts';
import type { Clock } from '../clock.ts';

/** Local calendar day of an instant, on this machine's time zone (the home's). */
function localDay(ms: number): { day: string; startMs: number; nextStartMs: number } {
  const d = new Date(ms);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const next = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    day: `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`,
    startMs: start.getTime(),
    nextStartMs: next.getTime(),
  };
}

/**
 * Folds a day of readings into one `ResidentDaily`: minutes with a sign of life, steps, heart-rate range,
 * and the water, electricity and gas used (from meter registers). At local midnight it hands the finished
 * day to `emit` and starts the next. Only these few numbers ever leave the home.
 */
export class DailySummary {
  private day = localDay(0);
  private activeMinutes = new Set<number>();
  private steps = 0;
  private hasSteps = false;
  private hr = { min: Number.POSITIVE_INFINITY, max: 0, sum: 0, n: 0 };
  private meters = new Map<string, { first: number; last: number }>();
  private timer: unknown;

  constructor(
    private readonly ids: { gatewayId: string; residentId: string },
    private readonly clock: Clock,
    private readonly emit: (summary: ResidentDaily) => void,
  ) {}

  start(): void {
    this.day = localDay(this.clock.now());
    this.schedule();
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
  }

  /** A sign of life at `tMs` (a person-made sensor change, movement of the band, a button). */
  activity(tMs: number): void {
    if (tMs >= this.day.startMs && tMs < this.day.nextStartMs)
      this.activeMinutes.add(Math.floor(tMs / 60_000));
  }

  heartRate(bpm: number): void {
    if (bpm <= 0) return;
    this.hr.min = Math.min(this.hr.min, bpm);
    this.hr.max = Math.max(this.hr.max, bpm);
    this.hr.sum += bpm;
    this.hr.n++;
  }

  addSteps(n: number): void {
    this.steps += n;
    this.hasSteps = true;
  }

  /** A cumulative register (water L, electricity kWh, gas m³) of one meter: the day's use is last − first. */
  meter(deviceQuantity: string, total: number): void {
    const m = this.meters.get(deviceQuantity);
    if (!m) this.meters.set(deviceQuantity, { first: total, last: total });
    else m.last = Math.max(m.last, total);
  }

  /** The day so far, as it would be sent. */
  summary(): ResidentDaily {
    const used = (quantity: string) => {
      let sum = 0;
      let any = false;
      for (const [key, m] of this.meters) {
        if (key.endsWith(`:${quantity}`)) {
          sum += m.last - m.first;
          any = true;
        }
      }
      return any ? Math.round(sum * 1000) / 1000 : undefined;
    };
    const water = used('water_l');
    const electricity = used('electricity_kwh');
    const gas = used('gas_m3');
    return {
      schema: EVENT_SCHEMA_VERSION,
      ...this.ids,
      day: this.day.day,
      dayStart: new Date(this.day.startMs).toISOString(),
      activeMinutes: this.activeMinutes.size,
      ...(this.hasSteps ? { steps: this.steps } : {}),
      ...(this.hr.n > 0
        ? { heartRate: { min: this.hr.min, max: this.hr.max, mean: Math.round(this.hr.sum / this.hr.n) } }
        : {}),
      ...(water === undefined ? {} : { waterLitres: water }),
      ...(electricity === undefined ? {} : { electricityKwh: electricity }),
      ...(gas === undefined ? {} : { gasM3: gas }),
    };
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(
      () => this.rollOver(),
      Math.max(0, this.day.nextStartMs - this.clock.now()),
    );
  }

  private rollOver(): void {
    this.emit(this.summary());
    this.day = localDay(this.day.nextStartMs);
    this.activeMinutes.clear();
    this.steps = 0;
    this.hasSteps = false;
    this.hr = { min: Number.POSITIVE_INFINITY, max: 0, sum: 0, n: 0 };
    // Meters carry on: today's first reading is yesterday's last.
    for (const m of this.meters.values()) m.first = m.last;
    this.schedule();
  }
}
