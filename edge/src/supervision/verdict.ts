import type { DeviceFault, Evidence } from '../../../contracts/src/index.ts';
import type { Verdict } from './fault-register.ts';

/** One detector's answer for one (fault, device) at one check. */
export interface FaultVerdict {
  fault: DeviceFault;
  device: string;
  atFault: Verdict;
  evidence: Evidence;
}

/** Battery with hysteresis: low at or below `lowPct`, well again only at or above `clearPct`. */
export function batteryVerdict(pct: number | undefined, lowPct: number, clearPct: number): Verdict {
  if (pct === undefined) return undefined;
  if (pct <= lowPct) return true;
  if (pct >= clearPct) return false;
  return undefined;
}
