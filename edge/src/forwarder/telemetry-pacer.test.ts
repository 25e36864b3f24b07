import { describe, expect, it } from 'vitest';
import { TelemetryPacer } from './telemetry-pacer.ts';

describe('TelemetryPacer', () => {
  it('lets a burst go at once, then the sustained rate', () => {
    const p = new TelemetryPacer(40, 100);
    expect(p.available(0)).toBe(100);
    p.take(100, 0);
    expect(p.available(0)).toBe(0);
    expect(p.msUntilNext(0)).toBe(25);
    expect(p.available(1000)).toBe(40);
    p.take(40, 1000);
    expect(p.available(1010)).toBe(0);
    expect(p.msUntilNext(1010)).toBe(15);
  });

  it('never holds more than its burst, however long it was idle', () => {
    const p = new TelemetryPacer(40, 100);
    expect(p.available(3_600_000)).toBe(100);
  });

  it('drains a day offline (240 telemetry events) no faster than the cloud allows a gateway', () => {
    const p = new TelemetryPacer(40, 100);
    let sent = 0;
    let t = 0;
    while (sent < 240) {
      const n = Math.min(240 - sent, p.available(t));
      p.take(n, t);
      sent += n;
      if (sent < 240) t += p.msUntilNext(t);
    }
    // 100 at once, then 140 at 40/s: 3.5 s; the cloud's bucket (200 + 50/s) would have room for 375.
    expect(t).toBeGreaterThanOrEqual(3400);
    expect(t).toBeLessThanOrEqual(3600);
  });
});
