import { type MeterSafetyOptions, MeterSafetyRules, type MeterSafetyState } from './meter-safety.rules.ts';

export {
  METER_SAFETY_MODEL,
  type MeterSafetyOptions,
  MeterSafetyRules,
  type MeterSafetyState,
} from './meter-safety.rules.ts';
export { RunDurations } from './run-durations.ts';

/** Builds the meter and door safety rules, from a saved state (`rules.toJSON()`) if there is one. */
export function createMeterSafetyRules(
  options: MeterSafetyOptions = {},
  state?: MeterSafetyState,
): MeterSafetyRules {
  return new MeterSafetyRules(options, state);
}
