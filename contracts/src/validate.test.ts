import { describe, expect, it } from 'vitest';
import { newEventId } from './ids.ts';
import { eventPriority } from './priority.ts';
import { findUnstorableText, parseAlertEvent } from './validate.ts';

const event = (evidence: Record<string, unknown>) =>
  JSON.stringify({
    schema: 1,
    id: newEventId(),
    gatewayId: 'gw-1',
    residentId: 'res-1',
    kind: 'fall',
    severity: 'critical',
    occurredAt: '2026-11-23T04:00:00.000Z',
    detectedAt: '2026-11-23T04:00:01.000Z',
    evidence,
  });

describe('contract parser', () => {
  it('rejects text the database cannot store (NUL, lone surrogates) as bad_text, so it is acknowledged, not resent forever', () => {
    expect(parseAlertEvent(event({ note: 'ok 好' }))).toMatchObject({ ok: true });
    expect(parseAlertEvent(event({ note: 'a\u0000b' }))).toMatchObject({ ok: false, reason: 'bad_text' });
    expect(parseAlertEvent(event({ note: 'x\uD800' }))).toMatchObject({ ok: false, reason: 'bad_text' });
    expect(parseAlertEvent(event({ note: '\uDC00' }))).toMatchObject({ ok: false, reason: 'bad_text' });
    expect(parseAlertEvent(event({ note: '💥' }))).toMatchObject({ ok: true }); // a surrogate pair is fine
  });

  it('finds the same in bytes off the wire (escaped or raw), where it skips the walk when no \\u escape is present', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    expect(parseAlertEvent(bytes(event({ note: 'a\u0000b' })))).toMatchObject({
      ok: false,
      reason: 'bad_text',
    });
    expect(parseAlertEvent(bytes(event({ 'k\uD800': 1 })))).toMatchObject({ ok: false, reason: 'bad_text' });
    expect(parseAlertEvent(bytes(event({ note: 'ok 好 💥 \\u0000 as text' })))).toMatchObject({ ok: true });
    // A surrogate written raw as UTF-8 bytes is invalid UTF-8: decoded to U+FFFD, which the database stores.
    const raw = Buffer.concat([
      bytes(event({ note: 'X' })).subarray(0, -3),
      Buffer.from([0xed, 0xa0, 0x80]),
      bytes('"}}'),
    ]);
    expect(parseAlertEvent(raw)).toMatchObject({
      ok: true,
      value: { evidence: { note: 'X\uFFFD\uFFFD\uFFFD' } },
    });
  });

  it('walks a deeply nested document without recursion', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(findUnstorableText(deep)).toMatch(/^\/a\/a/);
    expect(findUnstorableText({ 'k\u0000': 1 })).toBe('/k?');
  });
});

describe('event priority', () => {
  it('is urgent for falls, SOS and urgent/critical events, telemetry for the rest and for tests', () => {
    expect(eventPriority({ kind: 'fall', severity: 'warning' })).toBe('urgent');
    expect(eventPriority({ kind: 'sos', severity: 'info' })).toBe('urgent');
    expect(eventPriority({ kind: 'meter_safety', severity: 'critical' })).toBe('urgent');
    expect(eventPriority({ kind: 'inactivity', severity: 'urgent' })).toBe('urgent');
    expect(eventPriority({ kind: 'inactivity', severity: 'warning' })).toBe('telemetry');
    expect(eventPriority({ kind: 'vitals', severity: 'info' })).toBe('telemetry');
    expect(eventPriority({ kind: 'device_health', severity: 'warning' })).toBe('telemetry');
    expect(eventPriority({ kind: 'sos', severity: 'critical', test: true })).toBe('telemetry');
  });
});
