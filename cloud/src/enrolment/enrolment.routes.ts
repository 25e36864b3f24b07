import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { errors } from '../http/http.schemas.ts';
import { openRoute } from '../http/http-server.ts';
import { EnrolmentError } from './enrolment.errors.ts';
import { CreateEnrolmentCodeBody, EnrolBody, Enrolment, EnrolmentCode } from './enrolment.schemas.ts';
import type { EnrolmentService } from './enrolment.service.ts';

/** Answers an enrolment refusal with its own status (410, 429 … which UserError does not carry). */
function refuse(reply: FastifyReply, err: EnrolmentError) {
  if (err.retryAfterS !== undefined) void reply.header('retry-after', String(err.retryAfterS));
  return reply
    .code(err.statusCode)
    .send({ statusCode: err.statusCode, code: err.code, message: err.message });
}

/**
 * POST /enrolment-codes (the duty desk, behind the API's auth) and POST /enrol (open: the code IS the
 * credential, so it must be reachable without a token; OPEN in auth/permissions.ts).
 */
export function enrolmentRoutes(deps: { enrolment: EnrolmentService }): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: CreateEnrolmentCodeBody }>(
      '/enrolment-codes',
      {
        schema: {
          tags: ['gateways'],
          summary: 'Make a one-time enrolment code for a station (and resident); the code is shown ONCE',
          body: CreateEnrolmentCodeBody,
          response: {
            201: EnrolmentCode,
            ...errors(
              'CLOUD_RESIDENT_NOT_FOUND',
              [404, 'CLOUD_STATION_NOT_FOUND'],
              'CLOUD_ENROL_RESIDENT_NOT_IN_STATION',
            ),
          },
        },
      },
      async (req, reply) => {
        try {
          const { code, record } = await deps.enrolment.createCode(req.body);
          return reply.code(201).send({
            id: record.id,
            code,
            stationId: record.stationId,
            residentId: record.residentId,
            expiresAt: record.expiresAt,
          });
        } catch (err) {
          if (err instanceof EnrolmentError) return refuse(reply, err);
          throw err;
        }
      },
    );

    app.post<{ Body: EnrolBody }>(
      '/enrol',
      {
        schema: {
          tags: ['gateways'],
          summary: 'A gateway enrols with a one-time code: creates it and returns its MQTT secret ONCE',
          description:
            'No bearer token: the code authenticates. Refusals: 401 CLOUD_ENROL_CODE_INVALID, 410 CLOUD_ENROL_CODE_EXPIRED, ' +
            '409 CLOUD_ENROL_CODE_USED, 429 CLOUD_ENROL_RATE_LIMITED (failures per client address), 400/409 for the resident or a taken gateway name.',
          ...openRoute,
          body: EnrolBody,
          response: {
            201: Enrolment,
            ...errors(
              'CLOUD_ENROL_CODE_INVALID',
              'CLOUD_ENROL_CODE_EXPIRED',
              'CLOUD_ENROL_CODE_USED',
              'CLOUD_ENROL_RATE_LIMITED',
              'CLOUD_ENROL_RESIDENT_REQUIRED',
              'CLOUD_ENROL_RESIDENT_MISMATCH',
              'CLOUD_GATEWAY_EXISTS',
            ),
          },
        },
      },
      async (req, reply) => {
        try {
          const result = await deps.enrolment.enrol({
            code: req.body.code,
            clientKey: req.ip,
            gatewayName: req.body.gatewayName,
            residentId: req.body.residentId,
          });
          return reply.code(201).send(result);
        } catch (err) {
          if (err instanceof EnrolmentError) return refuse(reply, err);
          throw err;
        }
      },
    );
  };
}
