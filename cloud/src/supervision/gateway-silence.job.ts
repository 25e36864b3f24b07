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
 * Gateway-silent supervision, a job of the durable-timer poller (any replica, none twice, survives a
 * restart): each gateway's next-heartbeat deadline is a column (`gateways.silent_due_at`, set by every
 * heartbeat); a tick claims the passed ones with FOR UPDATE SKIP LOCKED and, in the same transaction,
 * marks them silent and raises ONE gateway_silent device_health case each. A planned outage defers the
 * deadline to its end; an outage of the cloud itself (no replica ticked for `outageGapS`) or of its broker
 * link gives every gateway a fresh interval + grace first. A heartbeat from a silent gateway clears the
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
  /** Level 1 for a case just committed (escalation poller `respond`). */
  respond: (caseId: string) => void;
}) {
  const { db, silence, cases, clock, metrics, config } = deps;
  const log = deps.log.child({ component: 'supervision' });
  let lastRun = 0;
  /** The broker link was down since the last tick: grant grace at the next one whatever the gap. */
  let brokerWasDown = false;
  /**
   * After an outage: gateways heard since it ended, and when that number last grew. While the fleet is
   * still coming back (the number grew within interval + grace) every deadline keeps moving on, so a
   * slow reconnect storm is never mistaken for silence; once no new gateway has been heard for that
   * long, ordinary deadlines apply again.
   */
  let recovering: { since: Date; heard: number; grewAt: number } | undefined;

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
        const moved = await silence.graceAll(tx, now);
        metrics.supervisionGraces.inc();
        recovering = { since: now, heard: 0, grewAt: now.getTime() };
        log.info(
          { gapS: Number.isFinite(gapS) ? Math.round(gapS) : null, brokerWasDown, moved },
          'supervision resumes after an outage: every gateway gets a fresh interval + grace',
        );
      } else if (recovering) {
        const heard = await silence.heardSince(tx, recovering.since);
        const quietMs = (config.defaultHeartbeatIntervalS + config.graceS) * 1000;
        if (heard > recovering.heard) {
          recovering.heard = heard;
          recovering.grewAt = now.getTime();
          // Still reconnecting: nobody is silent before interval + grace after the last one came back.
          await silence.graceAll(tx, now, config.graceS);
        } else if (now.getTime() - recovering.grewAt > quietMs) {
          log.info({ heard }, 'supervision: the fleet is back after the outage; ordinary deadlines again');
          recovering = undefined;
        }
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
    /** One tick every `pollIntervalMs` (the poller calls more often). Returns no texts: `respond` sends them. */
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
