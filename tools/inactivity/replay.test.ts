import { describe, expect, it } from 'vitest';
import type { SensorEvent } from './dataset.reader.ts';
import { replayHome } from './replay.ts';

const MIN = 60_000;
const DAY0 = Date.UTC(2024, 0, 1);

/** Ten days of a kitchen PIR on 08:00–21:00, one on/off pulse every 15 min (each on for 20 s). */
function days(n: number): SensorEvent[] {
  const out: SensorEvent[] = [];
  for (let d = 0; d < n; d++)
    for (
      let t = DAY0 + d * 1440 * MIN + 8 * 60 * MIN;
      t < DAY0 + d * 1440 * MIN + 21 * 60 * MIN;
      t += 15 * MIN
    ) {
      out.push({ tMs: t, sensor: 'Kitchen_Door_PIR', on: true });
      out.push({ tMs: t + 20_000, sensor: 'Kitchen_Door_PIR', on: false });
    }
  return out;
}

describe('collapse replay', () => {
  it('ends what ends by itself after a collapse: a PIR on at the fall reads clear a minute later', () => {
    const events = days(10);
    // Collapse 10 s into a PIR pulse (the PIR is on): its "clear" comes 1 min later, not never.
    const at = DAY0 + 9 * 1440 * MIN + 10 * 60 * MIN + 10_000;
    const r = replayHome(events, DAY0, events.at(-1)?.tMs ?? DAY0, { injectAtMs: [at] });
    const inj = r.injections[0];
    expect(inj?.lastChange).toMatchObject({ deviceId: 'Kitchen_Door_PIR', active: true });
    const d = inj?.detection;
    expect(d).toBeDefined();
    // The silence the scorer measured began with the PIR clearing at the fall + 1 min.
    expect(d?.occurredAtMs).toBe(at + MIN);
    expect(d?.evidence.context).toBe('motion:off@kitchen');
  });
});
