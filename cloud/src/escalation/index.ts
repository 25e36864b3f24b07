export { addSeconds, deadlinesFor } from './deadlines.ts';
export { createEscalationService, type EscalationService, type Firing } from './escalation.service.ts';
export { startTimerPoller, type TimerPoller } from './timer.poller.ts';
export {
  createTimersRepository,
  type Timer,
  type TimerKind,
  type TimerOutcome,
  type TimersRepository,
} from './timers.repository.ts';
