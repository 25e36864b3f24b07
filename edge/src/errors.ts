/**
 * Error taxonomy (after n8n): a `UserError` is bad input from a person (config, flags) — reported with its
 * stable code and a message for that person, never a stack trace. Device and network faults are retried
 * where they happen (driver reopen, forwarder backoff) and only logged.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
