import type { AlertEvent } from '../../../contracts/src/index.ts';
import type { Db } from '../db/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import { type NotificationsRepository, renderGuardianAlert } from '../notify/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import { noTelemetry, type Telemetry } from '../telemetry/index.ts';
import { appendTimeline } from './case-timeline.ts';
import type { CasesRepository } from './cases.repository.ts';
import type { Case } from './cases.schemas.ts';

export type RecordOutcome =
  | { status: 'stored'; caseId: string; opened: boolean; notificationIds: string[] }
  | { status: 'duplicate' };

/**
 * Correlates alert events into cases: one OPEN case per resident and kind; later events of that kind
 * append to it. Opening a (non-test) case queues one text per guardian, in the same transaction, so the
 * messages exist iff the case does; sending happens after the commit (NotificationDispatcher).
 */
export function createCasesService(deps: {
  db: Db;
  cases: CasesRepository;
  residents: ResidentsRepository;
  notifications: NotificationsRepository;
  metrics: CloudMetrics;
  guardianChannel: string;
  timeZone: string;
  /** Told about committed events and case state changes; off by default. */
  telemetry?: Telemetry;
}) {
  const { db, cases, residents, notifications, metrics } = deps;
  const telemetry = deps.telemetry ?? noTelemetry;

  return {
    /** Stores `ev` idempotently (by id) and files it into a case. Throws only on database failure. */
    async recordEvent(ev: AlertEvent): Promise<RecordOutcome> {
      const outcome = await db.transaction(async (tx): Promise<RecordOutcome> => {
        if (!(await cases.insertEvent(tx, ev))) return { status: 'duplicate' };
        const { caseId, opened } = await cases.openOrFind(tx, ev);
        await cases.attachEvent(tx, ev.id, caseId, ev.severity);
        await appendTimeline(tx, caseId, opened ? 'opened' : 'event_appended', {
          eventId: ev.id,
          gatewayId: ev.gatewayId,
          severity: ev.severity,
          ...(ev.test ? { test: true } : {}),
        });
        const notificationIds: string[] = [];
        // Test events exercise the whole path up to here, but never reach a person.
        if (opened && ev.test !== true) {
          const resident = await residents.get(ev.residentId, tx);
          for (const g of await residents.guardians(ev.residentId, tx)) {
            const body = renderGuardianAlert({
              language: g.language,
              kind: ev.kind,
              residentName: resident?.name ?? ev.residentId,
              occurredAt: ev.occurredAt,
              caseId,
              timeZone: deps.timeZone,
            });
            notificationIds.push(
              await notifications.insertPending(tx, {
                caseId,
                recipientPhone: g.phone,
                language: g.language,
                body,
                channel: deps.guardianChannel,
              }),
            );
          }
        }
        return { status: 'stored', caseId, opened, notificationIds };
      });
      // Count only what was committed.
      if (outcome.status === 'stored') {
        metrics.eventsIngested.inc({ kind: ev.kind });
        telemetry.eventStored(ev);
        if (outcome.opened) {
          metrics.casesOpened.inc({ kind: ev.kind });
          telemetry.caseChanged({
            caseId: outcome.caseId,
            residentId: ev.residentId,
            kind: ev.kind,
            state: 'opened',
            test: ev.test === true,
            at: new Date(),
          });
        }
      } else {
        metrics.eventsDuplicate.inc();
      }
      return outcome;
    },

    /** open → acknowledged. 404 when unknown, 409 when not open. */
    async acknowledge(id: string, by: string): Promise<Case> {
      const acked = await db.transaction(async (tx) => {
        const acked = await cases.acknowledge(tx, id, by);
        if (acked) {
          await appendTimeline(tx, id, 'acknowledged', { by });
          return acked;
        }
        const existing = await cases.get(id, tx);
        if (!existing) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${id} not found`);
        throw new ConflictError('CLOUD_CASE_NOT_OPEN', `case ${id} is ${existing.status}, not open`);
      });
      telemetry.caseChanged({
        caseId: acked.id,
        residentId: acked.residentId,
        kind: acked.kind,
        state: 'acknowledged',
        test: acked.test,
        at: new Date(acked.acknowledgedAt ?? Date.now()),
        openedAt: new Date(acked.openedAt),
      });
      return acked;
    },
  };
}

export type CasesService = ReturnType<typeof createCasesService>;
