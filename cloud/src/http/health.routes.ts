import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../db/index.ts';
import type { MetricsRegistry } from '../metrics/index.ts';
import { HealthResponse, openRoute } from './http-server.ts';

/** GET /health (db + broker; 503 when degraded) and GET /metrics (Prometheus text). Both are open. */
export function healthRoutes(deps: {
  db: Db;
  /** The MQTT broker once it listens (the shell asks it, whichever kind it is). */
  broker: () => { readonly url: string; connectedClients(): number } | undefined;
  registry: MetricsRegistry;
}): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['ops'],
          summary: 'Liveness/readiness: database and MQTT broker',
          ...openRoute,
          response: { 200: HealthResponse, 503: HealthResponse },
        },
      },
      async (_req, reply) => {
        let db: Static<typeof HealthResponse>['db'] = { ok: true, kind: deps.db.kind };
        try {
          await deps.db.query('SELECT 1');
        } catch (err) {
          db = { ok: false, kind: deps.db.kind, error: (err as Error).message.slice(0, 200) };
        }
        const b = deps.broker();
        const broker = { ok: b !== undefined, url: b?.url ?? '', clients: b?.connectedClients() ?? 0 };
        const ok = db.ok && broker.ok;
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', db, broker });
      },
    );

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['ops'],
          summary: 'Prometheus metrics (text exposition format 0.0.4)',
          ...openRoute,
          produces: ['text/plain'],
          response: {
            200: Type.String({
              examples: [
                '# HELP anju_cases_opened_total Cases opened, by kind\n# TYPE anju_cases_opened_total counter\nanju_cases_opened_total{kind="fall"} 3\n',
              ],
            }),
          },
        },
      },
      async (_req, reply) =>
        reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(deps.registry.render()),
    );
  };
}
