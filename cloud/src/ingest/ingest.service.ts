import {
  type AlertEvent,
  parseAlertEvent,
  parseHeartbeat,
  parseResidentDaily,
  type RejectReason,
} from '../../../contracts/src/index.ts';
import type { CasesService, RecordOutcome } from '../cases/index.ts';
import { handlingOf, minimized, refusesProcessing } from '../consent/index.ts';
import { OperationalError } from '../errors.ts';
import type { GatewaysRepository } from '../gateways/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import { createHeartbeatBatcher } from '../supervision/heartbeat-batcher.ts';
import { noTelemetry, type Telemetry } from '../telemetry/index.ts';

/** Why a message was acknowledged but not stored (label of anju_ingest_rejected_total). */
export type IngestRejectReason =
  | RejectReason // too_large | not_json | schema — from the contract parser
  | 'gateway_mismatch' // payload gatewayId ≠ the topic's (= the authenticated) gateway
  | 'unknown_gateway' // the gateway was deleted while connected
  | 'unknown_resident' // payload residentId is not a resident at all
  | 'resident_mismatch'; // the resident exists but this gateway is not registered for them

export type IngestResult =
  | { outcome: 'stored'; eventId: string; caseId: string; opened: boolean }
  | { outcome: 'duplicate'; eventId: string }
  /** a `cleared` device fault: the case it closed, or null when none was active */
  | { outcome: 'cleared'; eventId: string; caseId: string | null }
  /** acknowledged, not kept: the resident refused data processing and it is no emergency (docs/consent.md) */
  | { outcome: 'withheld'; eventId: string }
  | { outcome: 'heartbeat' }
  | { outcome: 'daily' }
  | { outcome: 'rejected'; reason: IngestRejectReason; detail: string };

/** The database could not commit the message: the event must NOT be acknowledged, so it is resent. */
export class IngestFailure extends OperationalError {
  constructor(cause: unknown) {
    super('CLOUD_INGEST_DB_FAILURE', 'could not commit the message', { cause });
  }
}

/**
 * Ingest: contract messages from gateways → database. Validates every payload against the contract and
 * the registry (gateway ↔ resident), never throws on bad input (it returns a rejection), and throws
 * `IngestFailure` only when the database fails — the broker then withholds the PUBACK.
 */
export function createIngestService(deps: {
  cases: CasesService;
  gateways: GatewaysRepository;
  residents: ResidentsRepository;
  /** Level 1 for a case just committed (response/first-response.queue.ts `respond`); must not throw. */
  respond: (caseId: string) => void;
  metrics: CloudMetrics;
  log: Logger;
  /** Every accepted heartbeat goes to telemetry; off by default. */
  telemetry?: Telemetry;
  /** Told about each recorded heartbeat (supervision: a silent gateway is heard again). */
  onHeartbeat?: (gatewayId: string, wasSilent: boolean) => void;
  /** How long heartbeats are coalesced before their one write; default 1000 ms. */
  heartbeatFlushMs?: number;
}) {
  const { cases, gateways, residents, metrics } = deps;
  const telemetry = deps.telemetry ?? noTelemetry;
  const log = deps.log.child({ component: 'ingest' });
  const heartbeats = createHeartbeatBatcher({
    write: (batch) => gateways.recordHeartbeats(batch),
    onRecorded: ({ hb }, wasSilent) => deps.onHeartbeat?.(hb.gatewayId, wasSilent),
    onUnknown: ({ hb }) => {
      metrics.ingestRejected.inc({ reason: 'unknown_gateway' });
      log.warn(
        { gatewayId: hb.gatewayId, reason: 'unknown_gateway' },
        'heartbeat of a gateway not registered',
      );
    },
    onWriteFailed: (err, rows) => {
      metrics.ingestErrors.inc({ topic: 'health' });
      log.warn({ err, rows }, 'heartbeats not recorded; the next write tries again');
    },
    ...(deps.heartbeatFlushMs === undefined ? {} : { flushMs: deps.heartbeatFlushMs }),
  });

  function reject(gatewayId: string, reason: IngestRejectReason, detail: string, size: number): IngestResult {
    metrics.ingestRejected.inc({ reason });
    // The detail of a JSON syntax error quotes the payload, which may hold anything: keep it out of logs.
    log.warn(
      { gatewayId, reason, bytes: size, ...(reason === 'not_json' ? {} : { detail }) },
      'message rejected',
    );
    return { outcome: 'rejected', reason, detail };
  }

  async function db<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new IngestFailure(err);
    }
  }

  /** The long way: is the gateway registered for this resident? Then duplicate, append or open. */
  async function checkedRecord(
    gatewayId: string,
    ev: AlertEvent,
    size: number,
  ): Promise<RecordOutcome | IngestResult> {
    const registered = await db(() => gateways.residentOf(gatewayId));
    if (registered === undefined) return reject(gatewayId, 'unknown_gateway', 'gateway not registered', size);
    if (ev.residentId !== registered) {
      const exists = await db(() => residents.exists(ev.residentId));
      return exists
        ? reject(gatewayId, 'resident_mismatch', 'gateway is not registered for this resident', size)
        : reject(gatewayId, 'unknown_resident', 'no such resident', size);
    }
    // A resident who refused data processing: only what answering an emergency needs (docs/consent.md).
    const consent = (await db(() => residents.get(ev.residentId)))?.consent;
    const handling = handlingOf(consent, ev);
    if (handling === 'drop') {
      metrics.consentWithheld.inc({ kind: ev.kind });
      log.info({ gatewayId, kind: ev.kind }, 'event withheld: the resident refused data processing');
      return { outcome: 'withheld', eventId: ev.id };
    }
    if (handling === 'minimal') return db(() => cases.recordEvent(minimized(ev), { quiet: true }));
    return db(() => cases.recordEvent(ev));
  }

  return {
    /** A message on `gw/<gatewayId>/events` from the authenticated gateway `gatewayId`. */
    async handleEvent(gatewayId: string, payload: Uint8Array): Promise<IngestResult> {
      const parsed = parseAlertEvent(payload);
      if (!parsed.ok) return reject(gatewayId, parsed.reason, parsed.detail, payload.byteLength);
      const ev = parsed.value;
      const size = payload.byteLength;
      if (ev.gatewayId !== gatewayId) {
        return reject(gatewayId, 'gateway_mismatch', `payload gatewayId ${ev.gatewayId} ≠ topic`, size);
      }
      // The common case — a new alarm from a gateway registered for its resident — is one statement;
      // anything else (not registered, a duplicate, a later event of an active case) takes the long way.
      const outcome = (await db(() => cases.openCase(ev))) ?? (await checkedRecord(gatewayId, ev, size));
      if ('outcome' in outcome) return outcome; // rejected or withheld
      if (outcome.status === 'duplicate') {
        log.info({ gatewayId, eventId: ev.id }, 'duplicate event acknowledged again');
        return { outcome: 'duplicate', eventId: ev.id };
      }
      if (outcome.status === 'cleared') {
        log.info({ gatewayId, caseId: outcome.caseId, eventId: ev.id }, 'device fault cleared');
        return { outcome: 'cleared', eventId: ev.id, caseId: outcome.caseId };
      }
      log.info(
        {
          gatewayId,
          caseId: outcome.caseId,
          eventId: ev.id,
          kind: ev.kind,
          opened: outcome.opened,
          test: ev.test,
        },
        outcome.opened ? 'event stored, case opened' : 'event stored, appended to open case',
      );
      // Committed: the PUBACK may go. Level 1 (dispatch, texts) runs after it, off the PUBACK path; the
      // case waits for it in the database, so a crash here still gets it a response (the overdue-responses job).
      if (outcome.opened && ev.test !== true) deps.respond(outcome.caseId);
      return { outcome: 'stored', eventId: ev.id, caseId: outcome.caseId, opened: outcome.opened };
    },

    /**
     * A message on `gw/<gatewayId>/health`: validated now, written with the others of the same second
     * (one UPDATE per second for the whole fleet, supervision/heartbeat-batcher.ts).
     */
    /** Synchronous: the heartbeat waits for the next batched write, so nothing here needs the database. */
    handleHeartbeat(gatewayId: string, payload: Uint8Array): IngestResult {
      const parsed = parseHeartbeat(payload);
      if (!parsed.ok) return reject(gatewayId, parsed.reason, parsed.detail, payload.byteLength);
      if (parsed.value.gatewayId !== gatewayId) {
        return reject(gatewayId, 'gateway_mismatch', 'payload gatewayId ≠ topic', payload.byteLength);
      }
      heartbeats.add(parsed.value);
      // Every accepted heartbeat is a telemetry point: the batcher keeps only a gateway's newest of its second
      // for the database row, but a burst (a reconnect's backlog) is still a series of readings for Grafana.
      telemetry.heartbeat(parsed.value);
      // Counted when accepted (valid, its own gateway's): the write is shared with the others of its
      // second, and a newer heartbeat of the same gateway within it replaces this one.
      metrics.heartbeats.inc();
      return { outcome: 'heartbeat' };
    },

    /** Writes the heartbeats still waiting (tests; shutdown goes through `close`). */
    flushHeartbeats: () => heartbeats.flush(),
    /** Before the database closes: the last heartbeats written. */
    close: () => heartbeats.close(),

    /** A message on `gw/<gatewayId>/daily`: the resident's day, for telemetry only. */
    async handleDaily(gatewayId: string, payload: Uint8Array): Promise<IngestResult> {
      const size = payload.byteLength;
      const parsed = parseResidentDaily(payload);
      if (!parsed.ok) return reject(gatewayId, parsed.reason, parsed.detail, size);
      const d = parsed.value;
      if (d.gatewayId !== gatewayId)
        return reject(gatewayId, 'gateway_mismatch', 'payload gatewayId ≠ topic', size);
      const registered = await db(() => gateways.residentOf(gatewayId));
      if (registered === undefined)
        return reject(gatewayId, 'unknown_gateway', 'gateway not registered', size);
      if (d.residentId !== registered) {
        return reject(gatewayId, 'resident_mismatch', 'gateway is not registered for this resident', size);
      }
      if (refusesProcessing((await db(() => residents.get(d.residentId)))?.consent)) {
        metrics.consentWithheld.inc({ kind: 'daily' });
        log.debug({ gatewayId }, 'daily summary withheld: the resident refused data processing');
        return { outcome: 'daily' };
      }
      metrics.dailySummaries.inc();
      telemetry.residentDaily({
        residentId: d.residentId,
        day: new Date(d.dayStart),
        activeMinutes: d.activeMinutes,
        ...(d.steps === undefined ? {} : { steps: d.steps }),
        ...(d.heartRate === undefined ? {} : { heartRate: d.heartRate }),
        ...(d.affect === undefined ? {} : { affect: d.affect }),
        ...(d.affectDetail === undefined ? {} : { affectDetail: d.affectDetail }),
        ...(d.waterLitres === undefined ? {} : { waterLitres: d.waterLitres }),
        ...(d.electricityKwh === undefined ? {} : { electricityKwh: d.electricityKwh }),
      });
      log.debug({ gatewayId, day: d.day }, 'daily summary');
      return { outcome: 'daily' };
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
