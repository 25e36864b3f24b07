import {
  InactivityScorer,
  type InactivityScorerOptions,
  type InactivityScorerState,
} from './inactivity.scorer.ts';

export {
  type HomeState,
  INACTIVITY_MODEL,
  InactivityScorer,
  type InactivityScorerOptions,
  type InactivityScorerState,
} from './inactivity.scorer.ts';
export { type LocalOffset, systemLocalOffset, utcAsLocal } from './local-time.ts';
export {
  type BusReading,
  createObservationMapper,
  type DeviceBinding,
  type ObservationMapperOptions,
} from './observation.mapper.ts';
export { type ActivityObservation, type DeviceRole, HELD_CAP_MS, PERSON_ROLES } from './observation.ts';
export { RoutineModel, type RoutineModelOptions, type RoutineModelState } from './routine.model.ts';
export { type ClockDrivenScorer, ScorerRunner, type ScorerRunnerOptions } from './scorer.runner.ts';

/** Builds the inactivity scorer, from a saved state (`scorer.toJSON()`) if there is one. */
export function createInactivityScorer(
  options: InactivityScorerOptions = {},
  state?: InactivityScorerState,
): InactivityScorer {
  return state ? InactivityScorer.fromJSON(state, options) : new InactivityScorer(options);
}
