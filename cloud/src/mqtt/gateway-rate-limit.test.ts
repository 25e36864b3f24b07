import { describe, expect, it } from 'vitest';
import { GatewayRateLimiter } from './gateway-rate-limit.ts';

describe('per-gateway token bucket', () => {
  const setup = () => {
    let now = 0;
    const limiter = new GatewayRateLimiter({ ratePerS: 10, burst: 3, maxWaitMs: 250 }, () => now);
    return { limiter, advance: (ms: number) => (now += ms) };
  };
  const telemetry = () => false;
  const urgent = () => true;

  it('lets a burst through, then holds each message for its token, and refuses past maxWaitMs', () => {
    const { limiter } = setup();
    for (let i = 0; i < 3; i++) expect(limiter.take('gw', telemetry)).toEqual({ action: 'go', waitMs: 0 });
    expect(limiter.take('gw', telemetry)).toEqual({ action: 'go', waitMs: 100 });
    expect(limiter.take('gw', telemetry)).toEqual({ action: 'go', waitMs: 200 });
    expect(limiter.take('gw', telemetry)).toMatchObject({ action: 'refuse', waitMs: 300 });
    expect(limiter.take('other', telemetry)).toEqual({ action: 'go', waitMs: 0 }); // per gateway
  });

  it('never refuses an urgent event; its debt (at most a burst) slows the telemetry behind it', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 20; i++) expect(limiter.take('gw', urgent).action).toBe('go');
    expect(limiter.take('gw', telemetry).action).toBe('refuse');
    advance(500); // −3 + 5 tokens
    expect(limiter.take('gw', telemetry)).toEqual({ action: 'go', waitMs: 0 });
  });

  it('asks whether a message is urgent only when the bucket is empty', () => {
    const { limiter } = setup();
    let asked = 0;
    const ask = () => {
      asked++;
      return false;
    };
    for (let i = 0; i < 3; i++) limiter.take('gw', ask);
    expect(asked).toBe(0);
    limiter.take('gw', ask);
    expect(asked).toBe(1);
  });
});
