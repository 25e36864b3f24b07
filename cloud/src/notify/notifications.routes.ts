import { type Static, Type } from '@sinclair/typebox';
import { UserError } from '../errors.ts';
import { errors } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { principalOf } from '../http/request-context.ts';
import type { NotificationsRepository } from './notifications.repository.ts';
import { Notification } from './notifications.schemas.ts';

const Query = Type.Object(
  {
    caseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

export function notificationsRoutes(deps: { notifications: NotificationsRepository }): HttpFeature {
  return withSchemas([Notification], async (app) => {
    app.get<{ Querystring: Static<typeof Query> }>(
      '/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Messages sent (or attempted) to guardians, oldest first',
          description:
            "A station user must name a case of their station (caseId): the texts carry people's phones.",
          querystring: Query,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Notification')) }),
            ...errors('CLOUD_NOTIFICATIONS_CASE_REQUIRED'),
          },
        },
      },
      async (req) => {
        if (principalOf(req).role !== 'admin' && req.query.caseId === undefined) {
          throw new UserError('CLOUD_NOTIFICATIONS_CASE_REQUIRED', 'name the case: ?caseId=<id>', 400);
        }
        return { items: await deps.notifications.list(req.query) };
      },
    );
  });
}
