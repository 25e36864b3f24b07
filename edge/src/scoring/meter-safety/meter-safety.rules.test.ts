import { describe, expect, it } from 'vitest';
import { utcAsLocal } from '../inactivity/local-time.ts';
import type { ActivityObservation, DeviceRole } from '../inactivity/observation.ts';
import { MeterSafetyRules, type MeterSafetyState } from './meter-safety.rules.ts';

const H = 3_600_000;
const MIN = 60_000;
const DAY0 = Date.UTC(2024, 0, 1);

function obs(tMs: number, role: DeviceRole, active: boolean): ActivityObservation {
  return { tMs, deviceId: role, role, active, person: role !== 'water_leak' };
}

function rules() {
  return new MeterSafetyRules({ localOffset: utcAsLocal });
}

describe('MeterSafetyRules', () => {
  it('warns when water runs past the floor with no history, and is urgent at the hard cap', () => {
    const r = rules();
    r.observe(obs(DAY0 + 10 * H, 'water_main', true));
    expect(r.nextCheckAtMs(DAY0 + 10 * H)).toBe(DAY0 + 10 * H + 20 * MIN);
    const warn = r.tick(DAY0 + 10 * H + 21 * MIN);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({
      kind: 'meter_safety',
      severity: 'warning',
      evidence: { rule: 'water_running_long' },
    });
    expect(r.tick(DAY0 + 10 * H + 30 * MIN)).toEqual([]);
    expect(r.tick(DAY0 + 11 * H)[0]?.severity).toBe('urgent');
  });

  it('learns this home’s usual water draws: long baths are not alarming once usual', () => {
    const r = rules();
    for (let d = 0; d < 20; d++) {
      r.observe(obs(DAY0 + d * 24 * H + 8 * H, 'water_main', true));
      r.observe(obs(DAY0 + d * 24 * H + 8 * H + 18 * MIN, 'water_main', false));
    }
    expect(r.limitsMin('water_main')[0]).toBeCloseTo(36, 0);
    expect(r.limitsMin('water_main')[1]).toBe(60);
  });

  it('raises a critical alert at once for a wet leak sensor', () => {
    expect(rules().observe(obs(DAY0, 'water_leak', true))[0]?.severity).toBe('critical');
  });

  it('warns of a cooker left on at night, not of long cooking by day', () => {
    const day = rules();
    day.observe(obs(DAY0 + 12 * H, 'cooker', true));
    expect(day.tick(DAY0 + 13 * H + 30 * MIN)).toEqual([]);
    const night = rules();
    night.observe(obs(DAY0 + 23 * H, 'cooker', true));
    const d = night.tick(DAY0 + 23 * H + 50 * MIN);
    expect(d[0]).toMatchObject({
      kind: 'meter_safety',
      severity: 'warning',
      evidence: { rule: 'cooker_on_at_night' },
    });
  });

  it('flags the front door opened at night from inside, escalating if no one comes back in', () => {
    const r = rules();
    r.observe(obs(DAY0 + 2 * H, 'motion', true));
    const first = r.observe(obs(DAY0 + 2 * H + 5 * MIN, 'front_door', true));
    expect(first[0]).toMatchObject({ kind: 'night_exit', severity: 'warning' });
    // The same exit is not reported twice.
    expect(r.observe(obs(DAY0 + 2 * H + 6 * MIN, 'front_door', true))).toEqual([]);
    const later = r.tick(DAY0 + 2 * H + 25 * MIN);
    expect(later[0]).toMatchObject({ kind: 'night_exit', severity: 'urgent' });
  });

  it('does not escalate a night exit when the person is back inside', () => {
    const r = rules();
    r.observe(obs(DAY0 + 2 * H, 'motion', true));
    r.observe(obs(DAY0 + 2 * H + 5 * MIN, 'front_door', true));
    r.observe(obs(DAY0 + 2 * H + 8 * MIN, 'motion', true));
    expect(r.tick(DAY0 + 3 * H)).toEqual([]);
  });

  it('takes a door at night after an evening out for a return, not an exit', () => {
    const r = rules();
    r.observe(obs(DAY0 + 19 * H, 'front_door', true));
    expect(r.observe(obs(DAY0 + 25 * H, 'front_door', true))).toEqual([]);
  });

  it('round-trips its state through JSON', () => {
    const r = rules();
    r.observe(obs(DAY0 + 10 * H, 'water_main', true));
    const back = MeterSafetyRules.fromJSON(JSON.parse(JSON.stringify(r.toJSON())) as MeterSafetyState, {
      localOffset: utcAsLocal,
    });
    expect(back.tick(DAY0 + 10 * H + 21 * MIN)[0]?.severity).toBe('warning');
  });
});
