import { type Static, Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { auditOf } from '../http/request-context.ts';
import type { ResidentsRepository } from '../residents/index.ts';
import { generateSecret, hashSecret } from './gateway-secret.ts';
import type { GatewaysRepository } from './gateways.repository.ts';
import { CreateGatewayBody, Gateway, GatewayCredentials } from './gateways.schemas.ts';

export function gatewaysRoutes(deps: {
  gateways: GatewaysRepository;
  residents: ResidentsRepository;
}): HttpFeature {
  const { gateways, residents } = deps;
  return withSchemas([GatewayCredentials, Gateway], async (app) => {
    app.post<{ Body: CreateGatewayBody }>(
      '/gateways',
      {
        schema: {
          tags: ['gateways'],
          summary: 'Register a gateway for a resident; returns its MQTT secret ONCE',
          body: CreateGatewayBody,
          response: {
            201: Type.Ref('GatewayCredentials'),
            ...errors('CLOUD_RESIDENT_NOT_FOUND', 'CLOUD_GATEWAY_EXISTS'),
          },
        },
      },
      async (req, reply) => {
        const { id, residentId } = req.body;
        if (!(await residents.exists(residentId))) {
          throw new NotFoundError('CLOUD_RESIDENT_NOT_FOUND', `resident ${residentId} not found`);
        }
        const secret = generateSecret();
        const secretHash = await hashSecret(secret);
        await auditOf(req).transaction(async (tx) => {
          const created = await gateways.create(id, residentId, secretHash, tx);
          if (!created)
            throw new ConflictError('CLOUD_GATEWAY_EXISTS', `gateway ${id} is already registered`);
        }, 201);
        req.log.info({ gatewayId: id }, 'gateway registered');
        const body: GatewayCredentials = { gatewayId: id, residentId, secret };
        return reply.code(201).send(body);
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/gateways/:id',
      {
        schema: {
          tags: ['gateways'],
          summary: 'A gateway: connection state and last heartbeat (never its secret)',
          params: IdParams,
          response: { 200: Type.Ref('Gateway'), ...errors('CLOUD_GATEWAY_NOT_FOUND') },
        },
      },
      async (req) => {
        const g = await gateways.get(req.params.id);
        if (!g) throw new NotFoundError('CLOUD_GATEWAY_NOT_FOUND', `gateway ${req.params.id} not found`);
        return g;
      },
    );
  });
}
