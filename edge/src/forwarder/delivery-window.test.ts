import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../contracts/src/index.ts';
import type { StoredEvent } from '../outbox/store.ts';
import { DeliveryWindow } from './delivery-window.ts';

const entry = (seq: number, urgent = false): StoredEvent => ({
  seq,
  event: { id: `e${seq}`, kind: urgent ? 'sos' : 'vitals' } as AlertEvent,
});
const isUrgent = (e: StoredEvent) => e.event.kind === 'sos';
const seqs = (es: readonly StoredEvent[]) => es.map((e) => e.seq);
const OK = { delivered: true } as const;

/** Applies outcomes as the forwarder does: from the front, in order, until one is still unanswered. */
function drainSettled(w: DeliveryWindow): number[] {
  const applied: number[] = [];
  for (let s = w.settledFront(); s; s = w.settledFront()) {
    applied.push(s.entry.seq);
    w.release(s.entry.seq);
  }
  return applied;
}

describe('DeliveryWindow', () => {
  it('admits up to the limit from the head, skipping what is already in flight', () => {
    const w = new DeliveryWindow();
    const head = [1, 2, 3, 4, 5, 6].map((n) => entry(n));
    expect(seqs(w.admit(head, 4, isUrgent, 0))).toEqual([1, 2, 3, 4]);
    expect(seqs(w.admit(head, 4, isUrgent, 0))).toEqual([]);
    w.settle(1, OK);
    drainSettled(w);
    expect(seqs(w.admit(head.slice(1), 4, isUrgent, 0))).toEqual([5]);
  });

  it('applies answers in send order whatever order they come in', () => {
    const w = new DeliveryWindow();
    w.admit(
      [1, 2, 3, 4].map((n) => entry(n)),
      4,
      isUrgent,
      0,
    );
    w.settle(3, OK);
    w.settle(2, OK);
    expect(drainSettled(w)).toEqual([]); // 1 still unanswered: nothing may be applied past it
    w.settle(4, { delivered: false, reasonCode: 0x10 });
    w.settle(1, OK);
    expect(drainSettled(w)).toEqual([1, 2, 3, 4]);
    expect(w.size).toBe(0);
  });

  it('sends an urgent event alone: not behind others in flight, and nothing behind it', () => {
    const w = new DeliveryWindow();
    const head = [entry(1), entry(2), entry(3, true), entry(4)];
    expect(seqs(w.admit(head, 16, isUrgent, 0))).toEqual([1, 2]);
    w.settle(1, OK);
    w.settle(2, OK);
    drainSettled(w);
    expect(seqs(w.admit(head.slice(2), 16, isUrgent, 0))).toEqual([3]);
    expect(seqs(w.admit(head.slice(2), 16, isUrgent, 0))).toEqual([]);
    w.settle(3, OK);
    drainSettled(w);
    expect(seqs(w.admit(head.slice(3), 16, isUrgent, 0))).toEqual([4]);
  });

  it('forgets answers for a window that was reset (the link went down: all of it is sent again)', () => {
    const w = new DeliveryWindow();
    w.admit(
      [1, 2, 3].map((n) => entry(n)),
      16,
      isUrgent,
      0,
    );
    expect(w.reset()).toBe(3);
    expect(w.settle(2, OK)).toBe(false);
    expect(
      seqs(
        w.admit(
          [1, 2, 3].map((n) => entry(n)),
          16,
          isUrgent,
          0,
        ),
      ),
    ).toEqual([1, 2, 3]);
  });
});
