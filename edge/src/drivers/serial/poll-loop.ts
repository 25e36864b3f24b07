import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log/logger.ts';
import { unref } from './timers.ts';

/**
 * Runs `cycle` every `intervalMs`, measured start to start, never two at once: a cycle that overruns the
 * interval is followed by the next at once, not by a pile-up. A failing cycle is logged and the loop goes on.
 */
export function createPollLoop(o: {
  clock: Clock;
  intervalMs: number;
  cycle: () => Promise<void>;
  log: Logger;
}) {
  let timer: unknown;
  let stopped = true;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = unref(
      o.clock.setTimeout(() => {
        const started = o.clock.now();
        o.cycle()
          .catch((err: unknown) => o.log.error({ err }, 'poll cycle failed'))
          .finally(() => schedule(Math.max(0, o.intervalMs - (o.clock.now() - started))));
      }, delayMs),
    );
  };
  return {
    /** The first cycle runs after `firstDelayMs`, then every `intervalMs`. */
    start(firstDelayMs: number): void {
      stopped = false;
      schedule(firstDelayMs);
    },
    stop(): void {
      stopped = true;
      o.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
