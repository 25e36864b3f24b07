import { randomBytes } from 'node:crypto';
import type { EnrolmentResponse } from '../../../contracts/src/index.ts';
import type { Db } from '../db/index.ts';
import { generateSecret, hashSecret } from '../gateways/gateway-secret.ts';
import { createGatewaysRepository } from '../gateways/gateways.repository.ts';
import type { Logger } from '../log/logger.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { StationsRepository } from '../stations/index.ts';
import { type EnrolmentConfig, enrolmentDefaults } from './enrolment.config.ts';
import { EnrolmentError } from './enrolment.errors.ts';
import type { EnrolmentCodeRecord, EnrolmentRepository } from './enrolment.repository.ts';
import { generateEnrolmentCode, hashEnrolmentCode, normalizeEnrolmentCode } from './enrolment-code.ts';

export interface EnrolRequest {
  code: string;
  /** Who is asking (the client's address): failures are limited per client. */
  clientKey: string;
  /** The gateway id the installer would like; a fresh `gw-…` when absent. */
  gatewayName?: string | undefined;
  /** For a code made for a station only: which of its residents this gateway serves. */
  residentId?: string | undefined;
}

/** What a newly enrolled gateway needs to connect: shown once, like POST /gateways' secret. */
export type EnrolResult = EnrolmentResponse;

type Outcome = { ok: true; result: Omit<EnrolResult, 'mqttUrl'> } | { ok: false; error: EnrolmentError };

/**
 * Trades a one-time code for a gateway record and its MQTT secret. The code is claimed (row lock), checked,
 * the gateway inserted and the code marked used in ONE transaction: a refusal for any reason after the
 * claim (resident mismatch, gateway name taken) leaves the code unused, and two redeemers of one code —
 * on one replica or two — get one success and one CLOUD_ENROL_CODE_USED.
 */
export function createEnrolmentService(deps: {
  db: Db;
  codes: EnrolmentRepository;
  residents: ResidentsRepository;
  stations: StationsRepository;
  config: EnrolmentConfig | undefined;
  /** The MQTT URL given to gateways when the config names none (the broker as bound). */
  brokerUrl: () => string;
  registry: MetricsRegistry;
  log: Logger;
}) {
  const { db, codes, residents, stations } = deps;
  const cfg = { ...enrolmentDefaults, ...deps.config };
  const attempts = deps.registry.counter(
    'anju_enrol_attempts_total',
    'Gateway enrolments by outcome (ok, invalid, expired, used, rate_limited, refused)',
    ['outcome'],
  );
  const codesCreated = deps.registry.counter('anju_enrol_codes_created_total', 'Enrolment codes made');

  const fail = async (clientKey: string, error: EnrolmentError): Promise<never> => {
    const outcome = error.code.replace('CLOUD_ENROL_CODE_', '').toLowerCase();
    attempts.inc({ outcome });
    const n = await codes.addFailure(clientKey, cfg.failureWindowS);
    deps.log.info({ code: error.code, clientKey, failuresInWindow: n }, 'enrolment refused');
    throw error;
  };

  return {
    async createCode(input: {
      stationId: string;
      residentId?: string | undefined;
      ttlS?: number | undefined;
    }): Promise<{ code: string; record: EnrolmentCodeRecord }> {
      if (!(await stations.get(input.stationId)))
        throw new EnrolmentError('CLOUD_STATION_NOT_FOUND', `station ${input.stationId} not found`);
      if (input.residentId !== undefined) {
        const resident = await residents.get(input.residentId);
        if (!resident)
          throw new EnrolmentError('CLOUD_RESIDENT_NOT_FOUND', `resident ${input.residentId} not found`);
        if (resident.stationId !== input.stationId)
          throw new EnrolmentError(
            'CLOUD_ENROL_RESIDENT_NOT_IN_STATION',
            `resident ${input.residentId} is not registered with station ${input.stationId}`,
          );
      }
      const code = generateEnrolmentCode();
      const record = await codes.create({
        codeHash: hashEnrolmentCode(normalizeEnrolmentCode(code)!),
        stationId: input.stationId,
        residentId: input.residentId,
        ttlS: input.ttlS ?? cfg.codeTtlS,
      });
      codesCreated.inc();
      deps.log.info(
        { enrolmentCodeId: record.id, stationId: record.stationId, expiresAt: record.expiresAt },
        'enrolment code created',
      );
      return { code, record };
    },

    async enrol(req: EnrolRequest): Promise<EnrolResult> {
      const failures = await codes.failures(req.clientKey, cfg.failureWindowS);
      if (failures >= cfg.maxFailuresPerWindow) {
        attempts.inc({ outcome: 'rate_limited' });
        throw new EnrolmentError(
          'CLOUD_ENROL_RATE_LIMITED',
          `too many failed enrolments from this address; try again in ${cfg.failureWindowS} s at most`,
          cfg.failureWindowS,
        );
      }
      const normalized = normalizeEnrolmentCode(req.code);
      const invalid = () =>
        new EnrolmentError(
          'CLOUD_ENROL_CODE_INVALID',
          'this enrolment code is not valid (check it with the duty desk)',
        );
      if (!normalized) return fail(req.clientKey, invalid());

      // Hash the new secret before taking the row lock (gateway-secret.ts).
      const secret = generateSecret();
      const secretHash = await hashSecret(secret);
      const gatewayId = req.gatewayName ?? `gw-${randomBytes(5).toString('hex')}`;

      const redeem = db.transaction(async (tx): Promise<Outcome> => {
        const claimed = await codes.claim(tx, hashEnrolmentCode(normalized));
        if (!claimed) return { ok: false, error: invalid() };
        if (claimed.state !== 'usable') {
          await codes.countLateAttempt(tx, claimed.id);
          return {
            ok: false,
            error:
              claimed.state === 'used'
                ? new EnrolmentError('CLOUD_ENROL_CODE_USED', 'this enrolment code has already been used')
                : new EnrolmentError('CLOUD_ENROL_CODE_EXPIRED', 'this enrolment code has expired'),
          };
        }
        let residentId = claimed.residentId;
        if (req.residentId !== undefined) {
          if (residentId !== null && residentId !== req.residentId)
            throw new EnrolmentError(
              'CLOUD_ENROL_RESIDENT_MISMATCH',
              'this code was made for another resident; leave the resident out or ask the duty desk',
            );
          if (residentId === null) {
            const r = await residents.get(req.residentId, tx);
            if (!r || r.stationId !== claimed.stationId)
              throw new EnrolmentError(
                'CLOUD_ENROL_RESIDENT_NOT_IN_STATION',
                `resident ${req.residentId} is not registered with the station this code was made for`,
              );
          }
          residentId = req.residentId;
        }
        if (residentId === null)
          throw new EnrolmentError(
            'CLOUD_ENROL_RESIDENT_REQUIRED',
            'this code was made for a station, not a resident: say which resident the gateway serves',
          );
        const gateway = await createGatewaysRepository(tx).create(gatewayId, residentId, secretHash);
        if (!gateway)
          throw new EnrolmentError('CLOUD_GATEWAY_EXISTS', `gateway ${gatewayId} is already registered`);
        await codes.markUsed(tx, claimed.id, gatewayId);
        return {
          ok: true,
          result: {
            gatewayId,
            residentId,
            stationId: claimed.stationId,
            secret,
            enrolledAt: gateway.createdAt,
          },
        };
      });
      let outcome: Outcome;
      try {
        outcome = await redeem;
      } catch (err) {
        // A right code for the wrong resident or a taken name: not a guess, so not counted against the client.
        if (err instanceof EnrolmentError) attempts.inc({ outcome: 'refused' });
        throw err;
      }
      if (!outcome.ok) return fail(req.clientKey, outcome.error);
      attempts.inc({ outcome: 'ok' });
      deps.log.info(
        { gatewayId, residentId: outcome.result.residentId, stationId: outcome.result.stationId },
        'gateway enrolled',
      );
      return { ...outcome.result, mqttUrl: deps.config?.mqttUrl ?? deps.brokerUrl() };
    },
  };
}

export type EnrolmentService = ReturnType<typeof createEnrolmentService>;
