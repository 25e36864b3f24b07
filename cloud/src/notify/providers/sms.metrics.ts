import type { MetricsRegistry } from '../../metrics/metrics.registry.ts';

/** The SMS providers' series, registered on the cloud's registry (shown on /metrics). */
export function createSmsMetrics(registry: MetricsRegistry) {
  return {
    sendAttempts: registry.counter(
      'anju_sms_send_attempts_total',
      'HTTP requests to SMS providers, by provider and outcome (accepted, retryable, rejected)',
      ['provider', 'outcome'],
    ),
    webhooks: registry.counter(
      'anju_sms_webhook_requests_total',
      'Provider webhook requests, by provider, hook and outcome (ok, bad_signature, bad_token, invalid, unmatched, error)',
      ['provider', 'hook', 'outcome'],
    ),
    inbound: registry.counter(
      'anju_sms_inbound_total',
      'Texts received from people, by provider and outcome (acknowledged, nothing_open, help, unknown_sender, duplicate)',
      ['provider', 'outcome'],
    ),
  };
}

export type SmsMetrics = ReturnType<typeof createSmsMetrics>;
