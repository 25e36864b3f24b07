/** Where the service reads the time: the wall clock in production, a hand-moved one in tests. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
