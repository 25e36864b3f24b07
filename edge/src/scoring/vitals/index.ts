export {
  type LimitsSource,
  type VitalsAlarm,
  VitalsScorer,
  type VitalsScorerConfig,
  type VitalsState,
} from './vitals.scorer.ts';
