import { describe, expect, it } from 'vitest';
import { backoffMs, withRetry } from './send-retry.ts';
import { networkError, SmsSendError } from './sms-send.error.ts';

const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };
const throttled = () => new SmsSendError('fake', 'THROTTLED', 'slow down', true);

describe('withRetry', () => {
  it('retries retryable errors and returns the first success', async () => {
    const seen: number[] = [];
    const out = await withRetry(policy, new AbortController().signal, async (n) => {
      seen.push(n);
      if (n < 3) throw throttled();
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(policy, new AbortController().signal, async () => {
        calls++;
        throw throttled();
      }),
    ).rejects.toThrow('fake THROTTLED');
    expect(calls).toBe(4);
  });

  it('does not retry a permanent error or a foreign one', async () => {
    let calls = 0;
    const permanent = new SmsSendError('fake', '21211', 'bad To', false);
    await expect(
      withRetry(policy, new AbortController().signal, async () => {
        calls++;
        throw permanent;
      }),
    ).rejects.toBe(permanent);
    await expect(
      withRetry(policy, new AbortController().signal, async () => {
        calls++;
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');
    expect(calls).toBe(2);
  });

  it('stops waiting when aborted', async () => {
    const ac = new AbortController();
    const slow = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const p = withRetry(slow, ac.signal, async () => {
      throw throttled();
    });
    ac.abort(new Error('shutting down'));
    await expect(p).rejects.toThrow('shutting down');
  });
});

describe('backoffMs', () => {
  it('grows, is capped, and honours Retry-After up to the cap', () => {
    const p = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(p, 1, undefined, () => 1)).toBe(100);
    expect(backoffMs(p, 3, undefined, () => 1)).toBe(400);
    expect(backoffMs(p, 9, undefined, () => 1)).toBe(1000);
    expect(backoffMs(p, 1, undefined, () => 0)).toBe(50);
    expect(backoffMs(p, 1, 700, () => 0)).toBe(700);
    expect(backoffMs(p, 1, 60_000, () => 0)).toBe(1000);
  });
});

describe('networkError', () => {
  it('is retryable only when the request provably did not leave', () => {
    const refused = networkError('x', new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    expect(refused.retryable).toBe(true);
    const reset = networkError('x', new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }));
    expect(reset.retryable).toBe(false);
    expect(reset.providerCode).toBe('OUTCOME_UNKNOWN_ECONNRESET');
  });
});
