import { localClock, shiftCovers } from '../workers/roster.ts';
import type { Shift } from '../workers/workers.schemas.ts';
import { haversineKm } from './geo.ts';

export interface Candidate {
  id: string;
  skills: readonly string[];
  home: { lat: number; lon: number };
  shifts: readonly Shift[];
  /** Active cases assigned to this worker now. */
  load: number;
}

export interface RankInput {
  /** The resident's home; unknown = distance is not used (all count as 0 km). */
  resident: { lat: number | null; lon: number | null };
  /** Skill the case kind asks for (config `dispatch.skillsByKind`), if any. */
  requiredSkill: string | undefined;
  /** Workers already asked for this case (they missed their deadline). */
  exclude: ReadonlySet<string>;
  at: Date;
  timeZone: string;
  loadPenaltyKm: number;
}

export interface Ranked {
  id: string;
  distanceKm: number | null;
  load: number;
  hasSkill: boolean;
  score: number;
}

/**
 * Orders the on-duty workers of a station for one case, best first: those with the skill the kind asks
 * for before those without (a worker without it still beats nobody), then by distance from home base
 * plus `loadPenaltyKm` per case already held, then by id so the order is stable.
 */
export function rankWorkers(candidates: readonly Candidate[], q: RankInput): Ranked[] {
  const home =
    q.resident.lat !== null && q.resident.lon !== null ? { lat: q.resident.lat, lon: q.resident.lon } : null;
  const local = localClock(q.at, q.timeZone); // the same moment for every candidate
  return candidates
    .filter((c) => !q.exclude.has(c.id) && c.shifts.some((s) => shiftCovers(s, local)))
    .map((c) => {
      const distanceKm = home ? haversineKm(c.home, home) : null;
      return {
        id: c.id,
        distanceKm,
        load: c.load,
        hasSkill: q.requiredSkill === undefined || c.skills.includes(q.requiredSkill),
        score: (distanceKm ?? 0) + q.loadPenaltyKm * c.load,
      };
    })
    .sort((a, b) => Number(b.hasSkill) - Number(a.hasSkill) || a.score - b.score || a.id.localeCompare(b.id));
}
