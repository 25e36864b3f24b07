import type { EventKind, Severity } from '../../../contracts/src/index.ts';
import type { CloudConfig } from '../config/index.ts';
import type { Queryable } from '../db/index.ts';
import {
  type NotificationsRepository,
  renderDutyDeskDeviceFault,
  renderDutyDeskEmergency,
  renderDutyDeskNoVisit,
  renderGuardianAlert,
  renderGuardianEmergency,
  renderSupervisorEscalation,
  renderWorkerDispatch,
  shareableAddress,
} from '../notify/index.ts';
import type { Queued } from '../notify/pending-text.ts';
import type { Resident, ResidentsRepository } from '../residents/index.ts';
import type { Station } from '../stations/index.ts';
import { quietUntil } from '../workers/roster.ts';
import type { Worker } from '../workers/workers.schemas.ts';

/** What the texts about one case need to know. */
export interface CaseContext {
  caseId: string;
  kind: EventKind;
  severity: Severity;
  residentId: string;
  resident: Resident | undefined;
  openedAt: Date;
  /** When the first event of the case happened (printed in the texts). */
  occurredAt: string;
}

/** Urgent and critical texts ignore a guardian's quiet hours (issue 4). */
const isUrgent = (s: Severity) => s === 'urgent' || s === 'critical';

/**
 * Writes the pending texts of the response chain inside the caller's transaction, each with its
 * recipient role, in the recipient's language, with only what that role may see (staff-alert.template).
 */
export function createCaseNotices(deps: {
  residents: ResidentsRepository;
  notifications: NotificationsRepository;
  channel: string;
  timeZone: string;
  publicUrl: string;
  dutyDesk: CloudConfig['dispatch']['dutyDesk'];
  /** Signs the web console's case links (console/signed-link.ts); without it texts link to /cases/<id>. */
  links?: { sign(c: { caseId: string; role: 'worker' | 'guardian'; subject: string }): string };
}) {
  const { residents, notifications, channel, timeZone } = deps;
  const base = deps.publicUrl.replace(/\/$/, '');
  // The link rides in the fragment: it opens the page but never reaches a server's access log.
  const consoleLink = (token: string) => `${base}/console/l#${token}`;
  const name = (c: CaseContext) => c.resident?.name ?? c.residentId;
  const address = (c: CaseContext) => shareableAddress(c.resident);
  const staff = (c: CaseContext, language: 'zh-CN' | 'en') => ({
    language,
    kind: c.kind,
    residentName: name(c),
    address: address(c),
    caseId: c.caseId,
    occurredAt: c.occurredAt,
    timeZone,
  });

  return {
    async worker(tx: Queryable, c: CaseContext, w: Worker): Promise<Queued> {
      const link = deps.links
        ? consoleLink(deps.links.sign({ caseId: c.caseId, role: 'worker', subject: w.id }))
        : `${base}/cases/${c.caseId}`;
      const id = await notifications.insertPending(tx, {
        caseId: c.caseId,
        recipientPhone: w.phone,
        language: w.language,
        body: renderWorkerDispatch({ ...staff(c, w.language), link }),
        channel,
        recipientRole: 'worker',
        recipientId: w.id,
        messageType: 'worker_dispatch',
      });
      return { id, held: false };
    },

    async supervisor(tx: Queryable, c: CaseContext, s: Station, assignee: string | null): Promise<Queued[]> {
      if (!s.supervisor) return [];
      const id = await notifications.insertPending(tx, {
        caseId: c.caseId,
        recipientPhone: s.supervisor.phone,
        language: s.supervisor.language,
        body: renderSupervisorEscalation({ ...staff(c, s.supervisor.language), assignee }),
        channel,
        recipientRole: 'supervisor',
        recipientId: s.id,
        messageType: 'supervisor_escalation',
      });
      return [{ id, held: false }];
    },

    async dutyDesk(tx: Queryable, c: CaseContext): Promise<Queued[]> {
      const desk = deps.dutyDesk;
      if (!desk) return [];
      const id = await notifications.insertPending(tx, {
        caseId: c.caseId,
        recipientPhone: desk.phone,
        language: desk.language,
        body: renderDutyDeskEmergency(staff(c, desk.language)),
        channel,
        recipientRole: 'duty_desk',
        recipientId: desk.name,
        messageType: 'duty_desk_emergency',
      });
      return [{ id, held: false }];
    },

    /**
     * Technical alarms and residents who refuse home visits: the duty desk first. `device_fault` names
     * the fault (`fault`: a DEVICE_FAULTS value, or null); `no_visit` asks the desk to call instead.
     */
    async dutyDeskNotice(
      tx: Queryable,
      c: CaseContext,
      variant: 'device_fault' | 'no_visit',
      fault: string | null = null,
    ): Promise<Queued[]> {
      const desk = deps.dutyDesk;
      if (!desk) return [];
      const input = staff(c, desk.language);
      const id = await notifications.insertPending(tx, {
        caseId: c.caseId,
        recipientPhone: desk.phone,
        language: desk.language,
        body:
          variant === 'device_fault'
            ? renderDutyDeskDeviceFault({ ...input, fault })
            : renderDutyDeskNoVisit(input),
        channel,
        recipientRole: 'duty_desk',
        recipientId: desk.name,
        messageType: variant === 'device_fault' ? 'duty_desk_device_fault' : 'duty_desk_no_visit',
      });
      return [{ id, held: false }];
    },

    /**
     * One text per guardian: `alert` is the guardian alert of issue 2 (case opened, or level 2),
     * `emergency` the level 3 text (always urgent). Non-urgent texts wait out quiet hours.
     */
    async guardians(
      tx: Queryable,
      c: CaseContext,
      variant: 'alert' | 'emergency',
      now: Date,
    ): Promise<Queued[]> {
      const out: Queued[] = [];
      const urgent = variant === 'emergency' || isUrgent(c.severity);
      for (const g of await residents.guardians(c.residentId, tx)) {
        const common = {
          language: g.language,
          kind: c.kind,
          residentName: name(c),
          occurredAt: c.occurredAt,
          caseId: c.caseId,
          timeZone,
        };
        const link =
          variant === 'alert' && deps.links
            ? consoleLink(deps.links.sign({ caseId: c.caseId, role: 'guardian', subject: g.id }))
            : undefined;
        const body =
          variant === 'alert' ? renderGuardianAlert({ ...common, link }) : renderGuardianEmergency(common);
        const until = urgent ? undefined : quietUntil(g.quietHours, now, timeZone);
        const id = await notifications.insertPending(tx, {
          caseId: c.caseId,
          recipientPhone: g.phone,
          language: g.language,
          body,
          channel,
          recipientRole: 'guardian',
          recipientId: g.id,
          messageType: variant === 'alert' ? 'guardian_alert' : 'guardian_emergency',
          ...(until ? { notBefore: until } : {}),
        });
        out.push({ id, held: until !== undefined });
      }
      return out;
    },
  };
}

export type CaseNotices = ReturnType<typeof createCaseNotices>;
