import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { auditOf } from '../http/request-context.ts';
import type { GatewaySilenceRepository } from './gateway-silence.repository.ts';

const MAX_AHEAD_MS = 30 * 24 * 3600 * 1000;

const MaintenanceBody = Type.Object(
  {
    until: Type.String({ format: 'date-time', description: 'when the planned outage ends (ISO 8601)' }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200, examples: ['router replaced'] })),
  },
  { additionalProperties: false },
);
type MaintenanceBody = Static<typeof MaintenanceBody>;

const Maintenance = Type.Object(
  {
    gatewayId: Type.String(),
    until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
  },
  {
    additionalProperties: false,
    examples: [{ gatewayId: 'gw-7f3a', until: '2026-12-03T18:00:00.000Z', reason: 'router replaced' }],
  },
);

/**
 * A planned outage per gateway, set by the desk: while it lasts a silent gateway raises no fault
 * (`PUT`), and `DELETE` ends it early. Audited like every change.
 */
export function maintenanceRoutes(deps: {
  db: Db;
  silence: GatewaySilenceRepository;
  clock: Clock;
}): FastifyPluginAsync {
  const { silence, clock } = deps;
  return async (app) => {
    app.put<{ Params: Static<typeof IdParams>; Body: MaintenanceBody }>(
      '/gateways/:id/maintenance',
      {
        schema: {
          tags: ['gateways'],
          summary: 'Plan an outage: no gateway-silent alarm for this gateway until `until`',
          params: IdParams,
          body: MaintenanceBody,
          response: {
            200: Maintenance,
            ...errors('CLOUD_GATEWAY_NOT_FOUND', 'CLOUD_MAINTENANCE_INVALID'),
          },
        },
      },
      async (req) => {
        const until = new Date(req.body.until);
        const ahead = until.getTime() - clock.now().getTime();
        if (!(ahead > 0 && ahead <= MAX_AHEAD_MS)) {
          throw new UserError(
            'CLOUD_MAINTENANCE_INVALID',
            'a planned outage must end in the future, at most 30 days ahead',
          );
        }
        const audit = auditOf(req);
        const m = await audit.transaction(async (tx) => {
          audit.set({ targetId: req.params.id, detail: { until: until.toISOString() } });
          const r = await silence.setMaintenance(tx, req.params.id, until, req.body.reason ?? null);
          if (!r) throw new NotFoundError('CLOUD_GATEWAY_NOT_FOUND', `gateway ${req.params.id} not found`);
          return r;
        });
        req.log.info({ gatewayId: m.gatewayId, until: m.until }, 'planned outage set');
        return m;
      },
    );

    app.delete<{ Params: Static<typeof IdParams> }>(
      '/gateways/:id/maintenance',
      {
        schema: {
          tags: ['gateways'],
          summary: 'End a planned outage now (silence counts again after interval + grace)',
          params: IdParams,
          response: { 200: Maintenance, ...errors('CLOUD_GATEWAY_NOT_FOUND') },
        },
      },
      async (req) => {
        const audit = auditOf(req);
        return audit.transaction(async (tx) => {
          audit.set({ targetId: req.params.id });
          const r = await silence.setMaintenance(tx, req.params.id, null, null);
          if (!r) throw new NotFoundError('CLOUD_GATEWAY_NOT_FOUND', `gateway ${req.params.id} not found`);
          return r;
        });
      },
    );
  };
}
