import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import type { Detection } from '../scoring/scorer.ts';
import { ConfirmPolicy, type PolicyOutcome } from './confirm-window.ts';

const fall = (t: number): Detection => ({
  kind: 'fall',
  severity: 'critical',
  occurredAtMs: t,
  decidedAtMs: t,
  score: { value: 0.9, model: { name: 'm', version: '1' } },
  evidence: {},
});

function setup() {
  const clock = new ManualClock(0);
  const outcomes: PolicyOutcome[] = [];
  const policy = new ConfirmPolicy({ confirmWindowMs: 30_000, dedupeMs: 60_000 }, clock, (o) =>
    outcomes.push(o),
  );
  return { clock, outcomes, policy };
}

describe('confirm policy', () => {
  it('raises a fall when the window passes without "I\'m OK"', () => {
    const { clock, outcomes, policy } = setup();
    policy.detected(fall(0));
    // Held at once (the moment the band is told to prompt the elder), for the whole window.
    expect(outcomes).toMatchObject([{ type: 'held', heldAtMs: 0, untilMs: 30_000 }]);
    clock.advance(29_999);
    expect(outcomes).toHaveLength(1);
    clock.advance(1);
    expect(outcomes).toMatchObject([{ type: 'held' }, { type: 'raised', raisedAtMs: 30_000 }]);
  });

  it('cancels a fall when "I\'m OK" comes inside the window', () => {
    const { clock, outcomes, policy } = setup();
    policy.detected(fall(0));
    clock.advance(10_000);
    expect(policy.okPressed()).toBe(true);
    clock.advance(60_000);
    expect(outcomes.map((o) => o.type)).toEqual(['held', 'cancelled']);
  });

  it('raises SOS at once, even while a fall is pending', () => {
    const { outcomes, policy } = setup();
    policy.detected(fall(0));
    policy.detected({ ...fall(0), kind: 'sos' });
    expect(outcomes.map((o) => `${o.type}:${o.detection.kind}`)).toEqual(['held:fall', 'raised:sos']);
  });

  it('treats a second detection of the same incident as one alarm', () => {
    const { clock, outcomes, policy } = setup();
    policy.detected(fall(0));
    clock.advance(2_000);
    policy.detected(fall(2_000));
    clock.advance(40_000);
    policy.detected(fall(42_000)); // still inside dedupe of the first
    clock.advance(40_000);
    expect(outcomes.filter((o) => o.type === 'raised')).toHaveLength(1);
  });

  it('"I\'m OK" with nothing pending does nothing', () => {
    const { outcomes, policy } = setup();
    expect(policy.okPressed()).toBe(false);
    expect(outcomes).toEqual([]);
  });
});
