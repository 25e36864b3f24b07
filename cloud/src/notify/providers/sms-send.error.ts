import { OperationalError } from '../../errors.ts';

/**
 * A provider refused or could not take a text. `retryable` says whether the SAME request may be sent
 * again without risking a second text to the person (see `send-retry.ts` for the rule); `providerCode` is
 * the provider's own code (`isv.MOBILE_NUMBER_ILLEGAL`, `21211`), kept on the notification row.
 * The message starts with the code so the sender's `error` column shows it.
 */
export class SmsSendError extends OperationalError {
  constructor(
    readonly provider: string,
    readonly providerCode: string,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(
      retryable ? 'CLOUD_SMS_RETRYABLE' : 'CLOUD_SMS_REJECTED',
      `${provider} ${providerCode}: ${message}`,
      options,
    );
  }
}

/**
 * Connection errors that prove the request never reached the provider (undici puts the socket error in
 * `cause`): nothing was sent, so sending again cannot duplicate a text.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Wraps a `fetch` failure: retryable only when the request provably did not leave. */
export function networkError(provider: string, err: unknown): SmsSendError {
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause;
  const code = cause?.code ?? (err as { name?: string } | undefined)?.name ?? 'NETWORK';
  const notSent = NOT_SENT.has(code);
  return new SmsSendError(
    provider,
    notSent ? code : `OUTCOME_UNKNOWN_${code}`,
    notSent
      ? 'could not connect; the request did not reach the provider'
      : 'the connection failed after the request was sent; not resent, to avoid a second text',
    notSent,
    undefined,
    { cause: err },
  );
}
