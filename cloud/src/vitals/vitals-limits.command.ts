import { randomUUID } from 'node:crypto';
import {
  type Command,
  EVENT_SCHEMA_VERSION,
  type VitalsLimits,
  type VitalsLimitsCommand,
} from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import type { VitalsLimitsRepository } from './vitals-limits.repository.ts';

/**
 * Sends the desk-set limits to the gateway as the `vitals_limits` command: when they are set, and again
 * whenever the gateway (re)subscribes to its commands (the newest one wins on the gateway, so a resend is
 * harmless). A gateway that is offline gets them when it returns.
 */
export function createVitalsLimitsSender(deps: {
  limits: VitalsLimitsRepository;
  sendCommand: (gatewayId: string, command: Command) => Promise<void>;
  log: Logger;
}) {
  const log = deps.log.child({ component: 'vitals-limits' });
  const command = (residentId: string, l: VitalsLimits): VitalsLimitsCommand => ({
    schema: EVENT_SCHEMA_VERSION,
    id: randomUUID(),
    type: 'vitals_limits',
    residentId,
    limits: { heartRateLow: l.heartRateLow, heartRateHigh: l.heartRateHigh, sustainedS: l.sustainedS },
  });

  async function send(gatewayId: string, residentId: string, l: VitalsLimits): Promise<boolean> {
    try {
      await deps.sendCommand(gatewayId, command(residentId, l));
      log.info({ gatewayId }, 'vitals limits sent');
      return true;
    } catch (err) {
      log.warn({ err, gatewayId }, 'vitals limits not sent; sent again when the gateway reconnects');
      return false;
    }
  }

  return {
    /** To every gateway of the resident; returns how many took it. */
    async pushToResident(residentId: string, l: VitalsLimits): Promise<number> {
      let sent = 0;
      for (const gw of await deps.limits.gatewaysOf(residentId)) if (await send(gw, residentId, l)) sent++;
      return sent;
    },
    /** The gateway subscribed to its commands: resend its resident's limits, if any. Never rejects. */
    async resend(gatewayId: string): Promise<void> {
      try {
        const l = await deps.limits.forGateway(gatewayId);
        if (l) await send(gatewayId, l.residentId, l);
      } catch (err) {
        log.warn({ err, gatewayId }, 'could not resend vitals limits');
      }
    },
  };
}

export type VitalsLimitsSender = ReturnType<typeof createVitalsLimitsSender>;
