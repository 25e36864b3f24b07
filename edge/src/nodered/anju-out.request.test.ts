import { describe, expect, it } from 'vitest';
import { AnjuOutInvalidError, parseAnjuOutPayload } from './anju-out.request.ts';

const NOW = Date.parse('2025-05-01T08:30:00Z');
const ctx = { nowMs: NOW, nodeName: 'medication missed' };

describe('anju out payload', () => {
  it('accepts a contract kind, severity and evidence, and tags the evidence with its source and rule', () => {
    const r = parseAnjuOutPayload(
      { kind: 'inactivity', severity: 'warning', evidence: { scheduledAt: '08:00', confirmWindowMin: 30 } },
      ctx,
    );
    expect(r).toEqual({
      kind: 'inactivity',
      severity: 'warning',
      occurredAtMs: NOW,
      evidence: { scheduledAt: '08:00', confirmWindowMin: 30, source: 'node-red', rule: 'medication missed' },
    });
  });

  it("keeps the flow's own rule name and reads occurredAt as ISO or epoch ms", () => {
    const iso = parseAnjuOutPayload(
      {
        kind: 'night_exit',
        severity: 'urgent',
        evidence: { rule: 'night_wandering' },
        occurredAt: '2025-05-01T08:00:00Z',
      },
      ctx,
    );
    expect(iso.evidence.rule).toBe('night_wandering');
    expect(iso.occurredAtMs).toBe(Date.parse('2025-05-01T08:00:00Z'));
    const ms = parseAnjuOutPayload(
      { kind: 'sos', severity: 'critical', evidence: {}, occurredAt: NOW - 5 },
      ctx,
    );
    expect(ms.occurredAtMs).toBe(NOW - 5);
  });

  it.each([
    ['not an object', 'hello', /must be an object/],
    ['an unknown kind', { kind: 'party', severity: 'info', evidence: {} }, /unknown kind "party"/],
    ['a bad severity', { kind: 'sos', severity: 'loud', evidence: {} }, /severity/],
    ['missing evidence', { kind: 'sos', severity: 'info' }, /evidence/],
    [
      'nested evidence (features, not raw data)',
      { kind: 'sos', severity: 'info', evidence: { a: { b: 1 } } },
      /evidence/,
    ],
    ['a bad evidence key', { kind: 'sos', severity: 'info', evidence: { 'bad key': 1 } }, /evidence/],
    ['an extra field', { kind: 'sos', severity: 'info', evidence: {}, id: 'x' }, /msg.payload/],
    [
      'a date that is not one',
      { kind: 'sos', severity: 'info', evidence: {}, occurredAt: 'yesterday' },
      /not a date/,
    ],
    [
      'a date in the future',
      { kind: 'sos', severity: 'info', evidence: {}, occurredAt: NOW + 3_600_000 },
      /future/,
    ],
  ])('refuses %s with a typed error', (_, payload, message) => {
    expect(() => parseAnjuOutPayload(payload, ctx)).toThrow(AnjuOutInvalidError);
    expect(() => parseAnjuOutPayload(payload, ctx)).toThrow(message);
  });

  it('refuses evidence that would overflow the contract once tagged', () => {
    const evidence = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i}`, i]));
    expect(() => parseAnjuOutPayload({ kind: 'sos', severity: 'info', evidence }, ctx)).toThrow(
      /too many keys/,
    );
  });
});
