import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log/logger.ts';
import { type Job, startJobRunner, textingJob } from './job-runner.ts';

const log = createLogger('silent');
const runners: { stop(): Promise<void> }[] = [];
const start = (jobs: Job[], pollIntervalMs = 3_600_000) => {
  // A long interval by default: only pollNow() runs the jobs here.
  const r = startJobRunner({ jobs, pollIntervalMs, clock: systemClock, log });
  runners.push(r);
  return r;
};
afterEach(async () => {
  vi.useRealTimers();
  for (const r of runners.splice(0)) await r.stop();
});

describe('job runner', () => {
  it('runs every job in the order registered, each poll', async () => {
    const ran: string[] = [];
    const job = (name: string): Job => ({ name, run: async () => void ran.push(name) });
    const r = start([job('a'), job('b'), job('c')]);
    await r.pollNow();
    await r.pollNow();
    expect(ran).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(r.names()).toEqual(['a', 'b', 'c']);
  });

  it('runs a job with everyMs only once that much time has passed since it last ran', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let runs = 0;
    const r = start([{ name: 'sometimes', everyMs: 10_000, run: async () => void runs++ }]);
    await r.pollNow();
    expect(runs).toBe(0); // not at start-up: as the pending-texts resend, which start-up does itself
    vi.setSystemTime(Date.now() + 10_001);
    await r.pollNow();
    await r.pollNow();
    expect(runs).toBe(1);
    vi.setSystemTime(Date.now() + 10_001);
    await r.pollNow();
    expect(runs).toBe(2);
  });

  it('stops a poll at the job that failed, and runs all of them again at the next', async () => {
    const ran: string[] = [];
    let fail = true;
    const r = start([
      { name: 'first', run: async () => void ran.push('first') },
      {
        name: 'flaky',
        run: async () => {
          if (fail) throw new Error('database down');
          ran.push('flaky');
        },
      },
      { name: 'last', run: async () => void ran.push('last') },
    ]);
    await expect(r.pollNow()).rejects.toThrow('database down');
    expect(ran).toEqual(['first']);
    fail = false;
    await r.pollNow();
    expect(ran).toEqual(['first', 'first', 'flaky', 'last']);
  });

  it('hands a texting job’s ids to the sender, and nothing when there are none', async () => {
    const sent: (readonly string[])[] = [];
    let due: string[] = ['n1', 'n2'];
    const r = start([
      textingJob(
        'texts',
        async () => due,
        (ids) => sent.push(ids),
      ),
    ]);
    await r.pollNow();
    due = [];
    await r.pollNow();
    expect(sent).toEqual([['n1', 'n2']]);
  });

  it('never runs a timer poll alongside pollNow(): the tick waits and runs after it', async () => {
    let active = 0;
    let most = 0;
    let polls = 0;
    const slow: Job = {
      name: 'slow',
      run: async () => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        polls++;
      },
    };
    const r = start([slow], 5); // ticks due every 5 ms, each poll takes 20 ms
    for (let i = 0; i < 10; i++) await r.pollNow();
    expect(polls).toBeGreaterThanOrEqual(10);
    expect(most).toBe(1);
  });
});
