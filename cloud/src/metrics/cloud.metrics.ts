import { MetricsRegistry } from './metrics.registry.ts';

/** Every series the cloud exports, in one place so names and labels stay consistent. */
export function createCloudMetrics() {
  const registry = new MetricsRegistry();
  return {
    registry,
    eventsIngested: registry.counter('anju_events_ingested_total', 'Alert events stored, by kind', ['kind']),
    eventsDuplicate: registry.counter(
      'anju_events_duplicate_total',
      'Alert events received again with an id already stored (acknowledged, not stored twice)',
    ),
    ingestRejected: registry.counter(
      'anju_ingest_rejected_total',
      'Messages acknowledged but rejected by ingest, by reason',
      ['reason'],
    ),
    ingestErrors: registry.counter(
      'anju_ingest_errors_total',
      'Messages that could not be committed (database failure); events are not acknowledged',
      ['topic'],
    ),
    dbErrors: registry.counter(
      'anju_db_errors_total',
      'PostgreSQL failures, by reason: unavailable (a statement or transaction failed because the server was down or restarting), connection_lost (a pooled connection died)',
      ['reason'],
    ),
    mqttAuthFailures: registry.counter(
      'anju_mqtt_auth_failures_total',
      'Refused MQTT connects, publishes and subscribes, by reason',
      ['reason'],
    ),
    mqttRefused: registry.counter(
      'anju_mqtt_refused_total',
      'MQTT connections closed for an oversize packet (too_large), before its body was read',
      ['reason'],
    ),
    mqttRateLimited: registry.counter(
      'anju_mqtt_rate_limited_total',
      'Gateway messages over their rate: delayed (PUBACK held), refused (no PUBACK; resent later) or dropped (heartbeats) on the embedded broker; shed (acknowledged, not ingested; never urgent events) behind an external broker',
      ['topic', 'outcome'],
    ),
    httpRateLimited: registry.counter(
      'anju_http_rate_limited_total',
      'REST requests answered 429 (over the per-client rate)',
    ),
    httpBadText: registry.counter(
      'anju_http_bad_text_total',
      'REST requests answered 400 CLOUD_BAD_TEXT (a NUL or lone surrogate), by the part it was in: params, query, headers, body',
      ['part'],
    ),
    apiAuthFailures: registry.counter(
      'anju_api_auth_failures_total',
      'REST requests refused for their bearer token (401), by error code',
      ['code'],
    ),
    mqttClients: registry.gauge('anju_mqtt_clients_connected', 'Gateways connected to this broker'),
    casesOpened: registry.counter('anju_cases_opened_total', 'Cases opened, by kind', ['kind']),
    notifications: registry.counter(
      'anju_notifications_total',
      'Notifications, by channel and final status',
      ['channel', 'status'],
    ),
    heartbeats: registry.counter('anju_heartbeats_total', 'Gateway heartbeats recorded'),
    consentWithheld: registry.counter(
      'anju_consent_withheld_total',
      'Messages acknowledged and not kept because the resident refused data processing, by kind (docs/consent.md)',
      ['kind'],
    ),
    supervisionFaults: registry.counter(
      'anju_supervision_faults_total',
      'Faults the cloud raised or cleared itself (gateway_silent), by fault and state',
      ['fault', 'state'],
    ),
    supervisionTickSeconds: registry.counter(
      'anju_supervision_tick_seconds_total',
      "Wall time this replica spent in the gateway-silence job's ticks (its cost, with the database's share)",
    ),
    supervisionGraces: registry.counter(
      'anju_supervision_graces_total',
      'Times every gateway was given a fresh grace period because the cloud or its broker link had been down',
    ),
    dailySummaries: registry.counter(
      'anju_daily_summaries_total',
      "Residents' daily summaries received from gateways",
    ),
    telemetryWritten: registry.counter('anju_telemetry_points_written_total', 'Points written to InfluxDB'),
    telemetryDropped: registry.counter(
      'anju_telemetry_points_dropped_total',
      'Telemetry points dropped: buffer overflow, rejected by InfluxDB, or unsent at shutdown',
      ['reason'],
    ),
    telemetryBuffered: registry.gauge('anju_telemetry_points_buffered', 'Points waiting to be written'),
    modelUpdatesSent: registry.counter(
      'anju_model_updates_sent_total',
      'model_update commands sent to gateways',
    ),
    modelUpdateResults: registry.counter(
      'anju_model_update_results_total',
      'Model update results reported by gateways, by outcome and reason',
      ['outcome', 'reason'],
    ),
    modelBundleRequests: registry.counter(
      'anju_model_bundle_requests_total',
      'Gateway requests for model bundle files, by outcome (served, bad_credentials, not_sent, not_found)',
      ['outcome'],
    ),
  };
}

export type CloudMetrics = ReturnType<typeof createCloudMetrics>;
