import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type AlertEvent, DeviceFaultEvidence } from '../../../contracts/src/index.ts';

const isFault = TypeCompiler.Compile(DeviceFaultEvidence);

/** A device fault named by a `device_health` event's evidence (contracts/src/supervision.ts), if it has one. */
export function faultOf(ev: Pick<AlertEvent, 'kind' | 'evidence'>): DeviceFaultEvidence | undefined {
  if (ev.kind !== 'device_health' || !isFault.Check(ev.evidence)) return undefined;
  return ev.evidence as DeviceFaultEvidence;
}

/**
 * What keeps device faults apart in the one-active-case rule (cases.fault_key, migration 009):
 * '<fault>:<device>' for a device fault, '' for every other event (one case per resident and kind).
 */
export function faultKeyOf(ev: Pick<AlertEvent, 'kind' | 'evidence'>): string {
  const f = faultOf(ev);
  return f ? `${f.fault}:${f.device}` : '';
}

/** A `cleared` device fault closes its case instead of opening or appending one. */
export const isClearedFault = (ev: Pick<AlertEvent, 'kind' | 'evidence'>) =>
  faultOf(ev)?.faultState === 'cleared';
