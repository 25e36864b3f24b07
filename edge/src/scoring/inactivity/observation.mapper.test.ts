import { describe, expect, it } from 'vitest';
import { createObservationMapper } from './observation.mapper.ts';

describe('createObservationMapper', () => {
  it('turns power readings into on/off changes at the standby threshold', () => {
    const m = createObservationMapper();
    const cooker = { id: 'plug-1', role: 'cooker', room: 'kitchen' };
    expect(m.map(cooker, { metric: 'power', reading: { tMs: 1, watts: 1200 } })).toMatchObject({
      active: true,
      person: true,
      role: 'cooker',
      room: 'kitchen',
    });
    expect(m.map(cooker, { metric: 'power', reading: { tMs: 2, watts: 1100 } })).toBeUndefined();
    expect(m.map(cooker, { metric: 'power', reading: { tMs: 3, watts: 1 } })).toMatchObject({
      active: false,
    });
  });

  it('marks a fridge as not a person', () => {
    const m = createObservationMapper();
    expect(
      m.map({ id: 'f', role: 'fridge' }, { metric: 'power', reading: { tMs: 1, watts: 100 } })?.person,
    ).toBe(false);
  });

  it('reads a water meter as running while its register grows', () => {
    const m = createObservationMapper();
    const w = { id: 'w', role: 'water_main' };
    const r = (tMs: number, total: number) =>
      m.map(w, { metric: 'meter', reading: { tMs, quantity: 'water_l', total } });
    expect(r(0, 100)).toBeUndefined();
    expect(r(10, 101)).toMatchObject({ active: true, role: 'water_main' });
    expect(r(20, 102)).toBeUndefined();
    expect(r(30, 102)).toMatchObject({ active: false });
  });

  it('ignores devices whose role it does not know', () => {
    const m = createObservationMapper();
    expect(
      m.map({ id: 'x', role: 'camera' }, { metric: 'motion', reading: { tMs: 1, occupied: true } }),
    ).toBeUndefined();
  });

  it('counts wristband steps as a sign of life', () => {
    const m = createObservationMapper();
    const band = { id: 'band', role: 'wristband' };
    expect(m.map(band, { metric: 'steps', reading: { tMs: 1, steps: 12 } })).toMatchObject({ person: true });
    expect(m.map(band, { metric: 'steps', reading: { tMs: 2, steps: 0 } })).toBeUndefined();
  });
});
