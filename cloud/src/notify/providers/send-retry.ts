import { setTimeout as sleep } from 'node:timers/promises';
import type { SmsRetryConfig } from './sms-providers.config.ts';
import { SmsSendError } from './sms-send.error.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 400, maxDelayMs: 3_000 };

export function retryPolicy(c: SmsRetryConfig | undefined): RetryPolicy {
  return {
    maxAttempts: c?.maxAttempts ?? defaultRetryPolicy.maxAttempts,
    baseDelayMs: c?.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: c?.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
  };
}

/** Full-jitter exponential backoff (attempt 1 → up to base, 2 → up to 2·base …), capped; honours Retry-After. */
export function backoffMs(
  p: RetryPolicy,
  attempt: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const exp = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.max(1, Math.round(exp / 2 + random() * (exp / 2)));
  return retryAfterMs === undefined ? jittered : Math.min(p.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/**
 * Runs `attempt` until it succeeds, throws a non-retryable error, or `maxAttempts` is used up. The
 * caller builds every attempt from the same notification, so each provider sees the same correlation id
 * (Aliyun OutId, Twilio StatusCallback `?n=`). Only `SmsSendError.retryable` errors are retried: those
 * where the provider said "not taken, try later" (throttling, 503) or the request never left (connection
 * refused). An aborted signal stops waiting at once.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: (n: number) => Promise<T>,
  onRetry?: (n: number, err: SmsSendError, delayMs: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof SmsSendError) || !err.retryable || n >= policy.maxAttempts) throw err;
      const delay = backoffMs(policy, n, err.retryAfterMs);
      onRetry?.(n, err, delay);
      // Rejects with the signal's reason (e.g. the sender's timeout), not a bare AbortError.
      await sleep(delay, undefined, { signal }).catch(() => {
        throw signal.reason;
      });
    }
  }
}
