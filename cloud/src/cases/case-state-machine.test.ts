import { describe, expect, it } from 'vitest';
import { CASE_STATES, checkTransition, isActive, type TargetState } from './case-state-machine.ts';

const worker = { type: 'worker', id: 'w1' } as const;
const desk = { type: 'duty_desk', id: 'desk 1' } as const;
const system = { type: 'system', id: 'dispatch' } as const;

describe('case state machine', () => {
  it('walks the happy path open → assigned → acknowledged → en route → on site → resolved → closed', () => {
    const path: [string, TargetState, typeof worker | typeof desk | typeof system][] = [
      ['open', 'assigned', system],
      ['assigned', 'acknowledged', worker],
      ['acknowledged', 'en_route', worker],
      ['en_route', 'on_site', worker],
      ['on_site', 'resolved', worker],
      ['resolved', 'closed', desk],
    ];
    for (const [from, to, actor] of path) {
      expect(checkTransition(from as never, to, actor), `${from}→${to}`).toEqual({ ok: true });
    }
  });

  it('lets the duty desk acknowledge an open case nobody was assigned to (the old POST /ack)', () => {
    expect(checkTransition('open', 'acknowledged', desk)).toEqual({ ok: true });
  });

  it('refuses to skip ahead or go back, and says what may come next', () => {
    expect(checkTransition('assigned', 'on_site', worker)).toMatchObject({
      ok: false,
      code: 'CLOUD_CASE_TRANSITION_ILLEGAL',
      message: 'a case that is assigned cannot become on_site (next: acknowledged, cancelled, false_alarm)',
    });
    expect(checkTransition('acknowledged', 'acknowledged', worker)).toMatchObject({ ok: false });
    expect(checkTransition('closed', 'resolved', desk)).toMatchObject({
      message: 'a case that is closed cannot become resolved (it is finished)',
    });
  });

  it('only lets dispatch or the desk assign, and only the desk or a guardian cancel', () => {
    expect(checkTransition('open', 'assigned', worker)).toMatchObject({
      code: 'CLOUD_CASE_ACTOR_NOT_ALLOWED',
    });
    expect(checkTransition('assigned', 'cancelled', worker)).toMatchObject({
      code: 'CLOUD_CASE_ACTOR_NOT_ALLOWED',
    });
    expect(checkTransition('assigned', 'cancelled', desk)).toEqual({ ok: true });
    expect(checkTransition('on_site', 'false_alarm', worker)).toEqual({ ok: true });
  });

  it('finishes a case in resolved, closed, cancelled and false alarm only', () => {
    expect(CASE_STATES.filter((s) => !isActive(s))).toEqual([
      'resolved',
      'closed',
      'cancelled',
      'false_alarm',
    ]);
  });
});
