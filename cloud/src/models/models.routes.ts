import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, UserError } from '../errors.ts';
import { decoyHash, verifySecret } from '../gateways/gateway-secret.ts';
import type { GatewaysRepository } from '../gateways/index.ts';
import { errors } from '../http/http.schemas.ts';
import { openRoute } from '../http/http-server.ts';
import { basicCredentials } from '../http/text-boundary.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import type { ModelsRepository } from './models.repository.ts';
import {
  BundleIndex,
  DeployBody,
  ModelFileParams,
  ModelParams,
  ModelUpdate,
  PublishedModel,
  PublishModelBody,
} from './models.schemas.ts';
import type { ModelsService } from './models.service.ts';

/** An upload carries a whole bundle as base64 (the shipped fall model is ~130 KB; the cap is 32 MB raw). */
const UPLOAD_BODY_LIMIT = 48 * 1024 * 1024;

const UpdatesQuery = Type.Object({
  gatewayId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  commandId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

/** Admin routes (bearer token) to publish and deploy models and read the results. */
export function modelsRoutes(deps: { service: ModelsService; models: ModelsRepository }): FastifyPluginAsync {
  const { service, models } = deps;
  return async (app) => {
    app.addSchema(PublishedModel);
    app.addSchema(ModelUpdate);

    app.post<{ Body: PublishModelBody }>(
      '/models',
      {
        bodyLimit: UPLOAD_BODY_LIMIT,
        schema: {
          tags: ['models'],
          summary: 'Publish a model version: its bundle files, base64 (name and version from manifest.json)',
          body: PublishModelBody,
          response: {
            200: Type.Ref('PublishedModel'),
            201: Type.Ref('PublishedModel'),
            ...errors('CLOUD_MODEL_BUNDLE_INVALID', 'CLOUD_MODEL_VERSION_EXISTS'),
          },
        },
      },
      async (req, reply) => {
        const files = new Map<string, Buffer>();
        for (const [name, b64] of Object.entries(req.body.files)) {
          if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
            throw new UserError('CLOUD_MODEL_BUNDLE_INVALID', `${name} is not base64`);
          files.set(name, Buffer.from(b64, 'base64'));
        }
        const { model, created } = await service.publish(files);
        return reply.code(created ? 201 : 200).send(model);
      },
    );

    app.get(
      '/models',
      {
        schema: {
          tags: ['models'],
          summary: 'Published model versions',
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('PublishedModel')) }) },
        },
      },
      async () => ({ items: await models.list() }),
    );

    app.get<{ Params: ModelParams }>(
      '/models/:name/:version',
      {
        schema: {
          tags: ['models'],
          summary: 'One published model version: files, hashes, bundle hash',
          params: ModelParams,
          response: { 200: Type.Ref('PublishedModel'), ...errors('CLOUD_MODEL_NOT_FOUND') },
        },
      },
      async (req) => {
        const m = await models.get(req.params.name, req.params.version);
        if (!m)
          throw new NotFoundError(
            'CLOUD_MODEL_NOT_FOUND',
            `model ${req.params.name} ${req.params.version} not found`,
          );
        return m;
      },
    );

    app.post<{ Params: ModelParams; Body: DeployBody }>(
      '/models/:name/:version/deploy',
      {
        schema: {
          tags: ['models'],
          summary: 'Send model_update to one gateway or every gateway of a station; results arrive later',
          params: ModelParams,
          body: DeployBody,
          response: {
            202: Type.Object(
              { items: Type.Array(Type.Object({ commandId: Type.String(), gatewayId: Type.String() })) },
              { examples: [{ items: [{ commandId: '7f1e…', gatewayId: 'gw-0001' }] }] },
            ),
            ...errors('CLOUD_MODEL_NOT_FOUND', 'CLOUD_GATEWAY_NOT_FOUND'),
          },
        },
      },
      async (req, reply) => {
        const items = await service.deploy(req.params.name, req.params.version, req.body);
        return reply.code(202).send({ items });
      },
    );

    app.get<{ Querystring: Static<typeof UpdatesQuery> }>(
      '/model-updates',
      {
        schema: {
          tags: ['models'],
          summary: 'Model update commands and their results, newest first (at most 200)',
          querystring: UpdatesQuery,
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('ModelUpdate')) }) },
        },
      },
      async (req) => ({ items: await models.updates(req.query) }),
    );
  };
}

/**
 * Gateway routes: a gateway fetches the bundle it was told to install, authenticated by HTTP Basic with its
 * own MQTT credentials (gateway id + secret, checked against the same scrypt hash as on MQTT). Never
 * anonymous, and only a version this gateway was sent a command for. The bearer-token hook lets
 * /gateway-models/ through (OPEN in auth/permissions.ts) because these routes authenticate on their own.
 */
export function gatewayModelsRoutes(deps: {
  models: ModelsRepository;
  gateways: GatewaysRepository;
  metrics: CloudMetrics;
}): FastifyPluginAsync {
  const { models, gateways, metrics } = deps;

  async function authenticate(req: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) {
    // Text the database cannot store was refused before this hook (http/text-boundary.ts).
    const basic = basicCredentials(req.headers.authorization);
    const gatewayId = basic?.user ?? '';
    const secret = basic?.password ?? '';
    const creds = gatewayId ? await gateways.credentials(gatewayId) : undefined;
    // Verify against a decoy for an unknown id, so "no such gateway" and "wrong secret" take as long.
    const ok = secret !== '' && (await verifySecret(secret, creds?.secretHash ?? (await decoyHash())));
    if (!creds || !ok) {
      metrics.modelBundleRequests.inc({ outcome: 'bad_credentials' });
      req.log.warn(
        { gatewayId: gatewayId.slice(0, 64) || undefined },
        'model bundle request refused: bad credentials',
      );
      return reply.code(401).header('www-authenticate', 'Basic realm="anju-gateway"').send({
        statusCode: 401,
        code: 'CLOUD_GATEWAY_AUTH_FAILED',
        message: 'gateway credentials required',
      });
    }
    if (!(await models.wasSent(gatewayId, req.params.name, req.params.version))) {
      metrics.modelBundleRequests.inc({ outcome: 'not_sent' });
      req.log.warn(
        { gatewayId, model: req.params.name, version: req.params.version },
        'model bundle request refused: not sent to this gateway',
      );
      return reply.code(403).send({
        statusCode: 403,
        code: 'CLOUD_MODEL_NOT_SENT',
        message: 'this gateway was not sent an update to this model version',
      });
    }
    return undefined;
  }

  const notFound = (what: string) => {
    metrics.modelBundleRequests.inc({ outcome: 'not_found' });
    return new NotFoundError('CLOUD_MODEL_NOT_FOUND', `${what} not found`);
  };

  return async (app) => {
    app.get<{ Params: ModelParams }>(
      '/gateway-models/:name/:version',
      {
        preHandler: authenticate,
        schema: {
          tags: ['gateway'],
          summary:
            "A bundle's index (files, hashes, bundle hash), for the gateway it was sent to (HTTP Basic)",
          params: ModelParams,
          ...openRoute,
          response: {
            200: BundleIndex,
            ...errors('CLOUD_GATEWAY_AUTH_FAILED', 'CLOUD_MODEL_NOT_SENT', 'CLOUD_MODEL_NOT_FOUND'),
          },
        },
      },
      async (req) => {
        const m = await models.get(req.params.name, req.params.version);
        if (!m) throw notFound(`model ${req.params.name} ${req.params.version}`);
        metrics.modelBundleRequests.inc({ outcome: 'served' });
        return { model: m.model, bundleSha256: m.bundleSha256, files: m.files };
      },
    );

    app.get<{ Params: ModelFileParams }>(
      '/gateway-models/:name/:version/files/:file',
      {
        preHandler: authenticate,
        schema: {
          tags: ['gateway'],
          summary: 'One file of a bundle, for the gateway it was sent to (HTTP Basic)',
          params: ModelFileParams,
          ...openRoute,
          produces: ['application/octet-stream'],
          response: {
            200: Type.String({ format: 'binary', description: 'the file bytes', examples: ['(bytes)'] }),
            ...errors('CLOUD_GATEWAY_AUTH_FAILED', 'CLOUD_MODEL_NOT_SENT', 'CLOUD_MODEL_NOT_FOUND'),
          },
        },
      },
      async (req, reply) => {
        const bytes = await models.file(req.params.name, req.params.version, req.params.file);
        if (!bytes) throw notFound(`file ${req.params.file} of ${req.params.name} ${req.params.version}`);
        metrics.modelBundleRequests.inc({ outcome: 'served' });
        return reply.header('content-type', 'application/octet-stream').send(bytes);
      },
    );
  };
}
