import type { AlertEvent } from './events.ts';

/**
 * How much an event matters when something has to give (a full outbox or disk on the gateway, a gateway
 * over its rate in the cloud). One definition, used on both sides:
 *  - `urgent`: a fall or an SOS (any severity), or any event of severity `urgent` or `critical` (a
 *    cooker left on, a long silence at its top tier, a night exit at night …). Never dropped to make
 *    room and never refused for a rate: losing an alarm is the one thing this system must not do.
 *  - `telemetry`: everything else — info and warning events (vitals, emotion, device health, the first
 *    tier of an unusual silence) and every synthetic `test: true` event. Useful, and the first to go
 *    (oldest first, counted) when there is no room.
 */
export type EventPriority = 'urgent' | 'telemetry';

export function eventPriority(e: Pick<AlertEvent, 'kind' | 'severity' | 'test'>): EventPriority {
  if (e.test) return 'telemetry';
  if (e.kind === 'fall' || e.kind === 'sos') return 'urgent';
  return e.severity === 'urgent' || e.severity === 'critical' ? 'urgent' : 'telemetry';
}
