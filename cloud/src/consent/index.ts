export {
  type ConsentHandling,
  EMERGENCY_KINDS,
  handlingOf,
  minimized,
  refusesProcessing,
} from './consent-policy.ts';
