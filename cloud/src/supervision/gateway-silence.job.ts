import { type AlertEvent, EVENT_SCHEMA_VERSION, newEventId } from '../../../contracts/src/index.ts';
import type { CasesService } from '../cases/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import type { DueGateway, GatewaySilenceRepository } from './gateway-silence.repository.ts';
import type { ResolvedSupervision } from './supervision.config.ts';

/** Gateways raised per transaction (a mass outage is worked through in batches, each one commit). */
const BATCH = 100;

/** The cloud's own `device_health` event about a gateway it no longer hears (contracts/src/supervision.ts). */
function silentEvent(
  g: { gatewayId: string; residentId: string },
  state: 'raised' | 'cleared',
  now: Date,
  extra: Record<string, number | string>,
  occurredAt: Date,
): AlertEvent {
  return {
    schema: EVENT_SCHEMA_VERSION,
    id: newEventId(now.getTime()),
    gatewayId: g.gatewayId,
    residentId: g.residentId,
    kind: 'device_health',
    severity: state === 'raised' ? 'warning' : 'info',
    occurredAt: occurredAt.toISOString(),
    detectedAt: now.toISOString(),
    evidence: { fault: 'gateway_silent', device: g.gatewayId, faultState: state, source: 'cloud', ...extra },
  };
}

/**
 * Gateway-silent supervision, a job of the cloud's job runner (jobs/job-runner.ts: any replica, none twice, survives a
 * restart): each gateway's next-heartbeat deadline is a column (`gateways.silent_due_at`, set by every
 * heartbeat); a tick claims the passed ones with FOR UPDATE SKIP LOCKED and, in the same transaction,
 * marks them silent and raises ONE gateway_silent device_health case each. A planned outage defers the
 * deadline to its end; an outage of the cloud itself (no replica ticked for `outageGapS`) or of its broker
 * link gives every gateway its own deadline of outage end + restartGraceS + interval + grace (graceAll). A heartbeat from a silent gateway clears the
 * fault and closes its case (`heard`).
 */
export function createGatewaySilenceJob(deps: {
  db: Db;
  silence: GatewaySilenceRepository;
  cases: CasesService;
  config: ResolvedSupervision;
  clock: Clock;
  metrics: CloudMetrics;
  log: Logger;
  /** False while this process cannot hear gateways (its external broker link is down): no tick then. */
  brokerUp?: () => boolean;
  /** Level 1 for a case just committed (the response path's `respond`). */
  respond: (caseId: string) => void;
}) {
  const { db, silence, cases, clock, metrics, config } = deps;
  const log = deps.log.child({ component: 'supervision' });
  let lastRun = 0;
  /** The broker link was down since the last tick: grant grace at the next one whatever the gap. */
  let brokerWasDown = false;
  /** Claims one batch of passed deadlines and raises them, in one transaction. */
  async function raiseBatch(now: Date): Promise<{ claimed: number; opened: string[] }> {
    const opened: string[] = [];
    let claimed = 0;
    const recorded = await db.transaction(async (tx) => {
      const due: DueGateway[] = await silence.claimDue(tx, now, BATCH);
      claimed = due.length;
      const out = [];
      for (const g of due) {
        if (g.maintenanceUntil && g.maintenanceUntil > now) {
          await silence.deferToMaintenanceEnd(tx, g.gatewayId, g.maintenanceUntil);
          log.info(
            { gatewayId: g.gatewayId, until: g.maintenanceUntil },
            'silent during a planned outage: not a fault',
          );
          continue;
        }
        await silence.markSilent(tx, g.gatewayId, now);
        const expectedAt = new Date(g.silentDueAt.getTime() - config.graceS * 1000);
        const ev = silentEvent(
          g,
          'raised',
          now,
          {
            intervalS: g.intervalS,
            graceS: config.graceS,
            ...(g.lastHeartbeatAt ? { lastHeartbeatAt: g.lastHeartbeatAt.toISOString() } : {}),
          },
          expectedAt,
        );
        out.push({ g, ev, r: await cases.recordIn(tx, ev, now) });
      }
      return out;
    });
    for (const { g, ev, r } of recorded) {
      const outcome = cases.recorded(ev, r);
      metrics.supervisionFaults.inc({ fault: 'gateway_silent', state: 'raised' });
      if (outcome.status === 'stored') {
        log.warn(
          { gatewayId: g.gatewayId, caseId: outcome.caseId, lastHeartbeatAt: g.lastHeartbeatAt },
          'gateway silent',
        );
        if (outcome.opened) opened.push(outcome.caseId);
      }
    }
    return { claimed, opened };
  }

  /** Outage check, then every passed deadline in batches. */
  async function tick(): Promise<void> {
    const now = clock.now();
    await db.transaction(async (tx) => {
      const gapS = await silence.tick(tx, now);
      if (gapS > config.outageGapS || brokerWasDown) {
        // Per gateway and bounded: one not heard since is silent at now + restartGraceS + its interval +
        // graceS, whatever the rest of the fleet does (no fleet-wide "still reconnecting" state that a
        // slow or partial return could stretch for ever). A heartbeat sets an ordinary deadline again.
        const moved = await silence.graceAll(tx, now);
        metrics.supervisionGraces.inc();
        log.info(
          {
            gapS: Number.isFinite(gapS) ? Math.round(gapS) : null,
            brokerWasDown,
            moved,
            unheardSilentAt: new Date(
              now.getTime() +
                (config.restartGraceS + config.defaultHeartbeatIntervalS + config.graceS) * 1000,
            ),
          },
          'supervision resumes after an outage: a gateway not heard by restartGraceS + interval + grace from now is silent',
        );
      }
    });
    brokerWasDown = false;
    for (;;) {
      const { claimed, opened } = await raiseBatch(now);
      for (const id of opened) deps.respond(id);
      if (claimed < BATCH) break;
    }
  }

  return {
    /** One tick every `pollIntervalMs` (the job runner calls more often). Returns no texts: `respond` sends them. */
    async runDue(): Promise<string[]> {
      if (Date.now() - lastRun < config.pollIntervalMs) return [];
      if (deps.brokerUp && !deps.brokerUp()) {
        brokerWasDown = true;
        return [];
      }
      lastRun = Date.now();
      const t0 = performance.now();
      try {
        await tick();
      } finally {
        metrics.supervisionTickSeconds.inc({}, (performance.now() - t0) / 1000);
      }
      return [];
    },

    /** A heartbeat from a gateway whose gateway_silent fault is raised: clear it and close its case. */
    async heard(gatewayId: string): Promise<void> {
      const now = clock.now();
      const r = await db.transaction(async (tx) => {
        const g = await silence.lockSilent(tx, gatewayId);
        if (!g) return undefined;
        await silence.markHeard(tx, gatewayId);
        const ev = silentEvent(
          g,
          'cleared',
          now,
          { silentS: Math.round((now.getTime() - g.silentSince.getTime()) / 1000) },
          now,
        );
        return { ev, r: await cases.recordIn(tx, ev, now) };
      });
      if (!r) return;
      const outcome = cases.recorded(r.ev, r.r);
      metrics.supervisionFaults.inc({ fault: 'gateway_silent', state: 'cleared' });
      log.info(
        { gatewayId, caseId: outcome.status === 'cleared' ? outcome.caseId : null },
        'gateway heard again',
      );
    },
  };
}

export type GatewaySilenceJob = ReturnType<typeof createGatewaySilenceJob>;
