import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { VitalsLimits } from '../../../contracts/src/index.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import type { VitalsLimitsSender } from './vitals-limits.command.ts';
import type { VitalsLimitsRepository } from './vitals-limits.repository.ts';

const StoredVitalsLimits = Type.Object(
  {
    residentId: Type.String(),
    heartRateLow: Type.Integer(),
    heartRateHigh: Type.Integer(),
    sustainedS: Type.Integer(),
    updatedAt: Type.String({ format: 'date-time' }),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
    gatewaysTold: Type.Optional(
      Type.Integer({ description: 'gateways that took the command now (the others get it on reconnecting)' }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        residentId: 'r-7f3a',
        heartRateLow: 45,
        heartRateHigh: 120,
        sustainedS: 120,
        updatedAt: '2026-12-03T08:00:00.000Z',
        updatedBy: 'desk-li',
        gatewaysTold: 1,
      },
    ],
  },
);

/** The contract's VitalsLimits (contracts/src/supervision.ts) as a request body, with an example. */
const VitalsLimitsBody = Type.Object(VitalsLimits.properties, {
  additionalProperties: false,
  examples: [{ heartRateLow: 45, heartRateHigh: 120, sustainedS: 120 }],
});

/**
 * `PUT/GET /residents/:id/vitals-limits`: the heart-rate limits the desk sets for one resident (issue 16).
 * Stored, audited, and pushed to the resident's gateway as the `vitals_limits` command (again whenever it
 * reconnects); the gateway's vitals scorer judges against them.
 */
export function vitalsLimitsRoutes(deps: {
  limits: VitalsLimitsRepository;
  residents: ResidentsRepository;
  sender: VitalsLimitsSender;
}): FastifyPluginAsync {
  const { limits, residents, sender } = deps;
  return async (app) => {
    app.put<{ Params: Static<typeof IdParams>; Body: VitalsLimits }>(
      '/residents/:id/vitals-limits',
      {
        schema: {
          tags: ['residents'],
          summary: "Set a resident's heart-rate limits (bpm, sustained seconds); pushed to their gateway",
          params: IdParams,
          body: VitalsLimitsBody,
          response: {
            200: StoredVitalsLimits,
            ...errors('CLOUD_RESIDENT_NOT_FOUND', 'CLOUD_VITALS_LIMITS_INVALID'),
          },
        },
      },
      async (req) => {
        const id = req.params.id;
        const body = req.body;
        if (body.heartRateLow >= body.heartRateHigh) {
          throw new UserError('CLOUD_VITALS_LIMITS_INVALID', 'heartRateLow must be below heartRateHigh');
        }
        if (!(await residents.exists(id))) {
          throw new NotFoundError('CLOUD_RESIDENT_NOT_FOUND', `resident ${id} not found`);
        }
        const audit = auditOf(req);
        const stored = await audit.transaction(async (tx) => {
          audit.set({ targetId: id, residentId: id });
          return limits.put(tx, id, body, principalOf(req).sub);
        });
        const gatewaysTold = await sender.pushToResident(id, stored);
        return { ...stored, gatewaysTold };
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/residents/:id/vitals-limits',
      {
        schema: {
          tags: ['residents'],
          summary: "A resident's heart-rate limits as the desk set them",
          params: IdParams,
          response: {
            200: StoredVitalsLimits,
            ...errors('CLOUD_RESIDENT_NOT_FOUND', 'CLOUD_VITALS_LIMITS_NOT_SET'),
          },
        },
      },
      async (req) => {
        const id = req.params.id;
        if (!(await residents.exists(id))) {
          throw new NotFoundError('CLOUD_RESIDENT_NOT_FOUND', `resident ${id} not found`);
        }
        const l = await limits.get(id);
        if (!l) throw new NotFoundError('CLOUD_VITALS_LIMITS_NOT_SET', `no vitals limits set for ${id}`);
        return l;
      },
    );
  };
}
