import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../http/http.schemas.ts';
import type { NotificationsRepository } from './notifications.repository.ts';

const Query = Type.Object(
  {
    caseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

export function notificationsRoutes(deps: { notifications: NotificationsRepository }): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Static<typeof Query> }>(
      '/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Messages sent (or attempted) to guardians, oldest first',
          querystring: Query,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Notification')) }),
            ...errors(400, 401),
          },
        },
      },
      async (req) => ({ items: await deps.notifications.list(req.query) }),
    );
  };
}
