import type { Logger } from '../../log/logger.ts';
import type { RetryPolicy } from './send-retry.ts';
import type { SmsMetrics } from './sms.metrics.ts';
import type { SmsLedger } from './sms-ledger.repository.ts';

/** What a provider notifier needs besides its own config. */
export interface SmsNotifierDeps {
  log: Logger;
  retry: RetryPolicy;
  /** IANA zone times in template parameters are printed in. */
  timeZone: string;
  metrics?: SmsMetrics | undefined;
  /** Bound once the database is open (the registry is built before it); absent in unit tests. */
  ledger: () => SmsLedger | undefined;
  /** Injectable for tests; defaults to global fetch. */
  fetch?: typeof fetch;
}
