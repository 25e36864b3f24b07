import type { AlertEvent, EventKind } from '../../../contracts/src/index.ts';
import { faultOf } from '../cases/fault-key.ts';
import type { Consent } from '../residents/residents.schemas.ts';

/**
 * What the cloud may do with the data of a resident who refused data processing (consent
 * `dataProcessing: false`); docs/consent.md gives the reasons. Only what answering an emergency needs:
 * the kinds below are kept (a person may be in danger now, or the equipment that watches over them
 * failed), everything else is acknowledged to the gateway and dropped.
 */
export const EMERGENCY_KINDS: readonly EventKind[] = [
  'fall',
  'sos',
  'inactivity',
  'meter_safety',
  'device_health',
];

/** `full`: as for everyone; `minimal`: kept with responders' evidence only, no telemetry; `drop`: not kept. */
export type ConsentHandling = 'full' | 'minimal' | 'drop';

export const refusesProcessing = (consent: Consent | undefined | null) => consent?.dataProcessing === false;

export function handlingOf(
  consent: Consent | undefined | null,
  ev: Pick<AlertEvent, 'kind'>,
): ConsentHandling {
  if (!refusesProcessing(consent)) return 'full';
  return EMERGENCY_KINDS.includes(ev.kind) ? 'minimal' : 'drop';
}

/**
 * The event as kept for a resident who refused data processing: no model score, and of the evidence only
 * what a responder needs — a device fault's (fault, device, state), for the rest nothing but the marker.
 */
export function minimized(ev: AlertEvent): AlertEvent {
  const f = faultOf(ev);
  const evidence = f
    ? { fault: f.fault, device: f.device, faultState: f.faultState, minimized: true }
    : { minimized: true };
  const { score: _score, ...rest } = ev;
  return { ...rest, evidence } as AlertEvent;
}
