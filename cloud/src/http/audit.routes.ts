import { Type } from '@sinclair/typebox';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { AuditEntry, ListAuditQuery } from '../audit/audit.schemas.ts';
import { stationScope } from '../auth/index.ts';
import { errors } from './http.schemas.ts';
import { type HttpFeature, withSchemas } from './http-feature.ts';
import { principalOf } from './request-context.ts';

/**
 * GET /audit: admins read the whole log, supervisors what concerns their station. Itself audited. The
 * shell's own route (beside /health): access control writes this log for every request.
 */
export function auditRoutes(deps: { audit: AuditRepository }): HttpFeature {
  return withSchemas([AuditEntry], async (app) => {
    app.get<{ Querystring: ListAuditQuery }>(
      '/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'The audit log, newest first: who read or changed what, and the outcome',
          description:
            "A supervisor sees the requests of their station's people and the requests about their station's " +
            'residents, workers and cases, never naming what the station may not see: for a record of another ' +
            'station, its resident, station and detail are left out as for an id that names nothing, and a person ' +
            "of another station is shown as '(another station)'. Page back with `before` = the last id of a page.",
          querystring: ListAuditQuery,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('AuditEntry')) }),
            ...errors([404, 'CLOUD_STATION_NOT_FOUND']),
          },
        },
      },
      async (req) => ({
        items: await deps.audit.list(req.query, { stationId: stationScope(principalOf(req)) }),
      }),
    );
  });
}
