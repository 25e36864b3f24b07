import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { stationScope } from '../auth/index.ts';
import { errors } from '../http/http.schemas.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import type { CaseFeed } from './case-feed.ts';
import { QueueItem } from './console.schemas.ts';
import type { QueueRepository } from './queue.repository.ts';

/** A comment line keeps proxies and the browser from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * The duty desk's queue: every open case of the caller's station at once (first load), then each change
 * as a Server-Sent Event `cases` with the changed lines (finished ones included, so the page drops them).
 */
export function queueRoutes(deps: { queue: QueueRepository; feed: CaseFeed }): FastifyPluginAsync {
  return async (app) => {
    // Open streams end when the server closes (preClose: before it waits for connections to finish).
    const streams = new Set<() => void>();
    app.addHook('preClose', async () => {
      for (const end of streams) end();
    });

    app.get(
      '/console-api/queue',
      {
        schema: {
          tags: ['console'],
          summary: "Open cases of the caller's station, most urgent first (the desk's first load)",
          response: {
            200: Type.Object({ items: Type.Array(QueueItem), at: Type.String({ format: 'date-time' }) }),
          },
        },
      },
      async (req) => {
        const at = new Date().toISOString();
        const items = await deps.queue.open(stationScope(principalOf(req)));
        auditOf(req).set({ detail: { count: items.length } });
        return { items, at };
      },
    );

    app.get(
      '/console-api/stream',
      {
        schema: {
          tags: ['console'],
          summary: "Live changes to the cases of the caller's station (text/event-stream)",
          description:
            'Server-Sent Events: `event: cases` with `data:` a JSON array of queue lines, sent as cases are ' +
            'committed (read from the database, so from every replica). A line whose status is resolved, ' +
            'closed, cancelled or false_alarm has left the queue.',
          produces: ['text/event-stream'],
          response: {
            200: Type.String({
              description: 'the event stream',
              examples: ['event: cases\ndata: [ … ]\n\n'],
            }),
            ...errors('CLOUD_CONSOLE_NOT_EVENT_STREAM'),
          },
        },
      },
      async (req, reply) => {
        // EventSource asks for text/event-stream; anything else would hold a response open it cannot read.
        if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
          throw Object.assign(
            new Error('this is a Server-Sent Events stream: send Accept: text/event-stream'),
            {
              statusCode: 406,
              code: 'CLOUD_CONSOLE_NOT_EVENT_STREAM',
            },
          );
        }
        const station = stationScope(principalOf(req));
        // The stream's audit entry is its opening: written now, as the response stays open.
        await auditOf(req).finish(200);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-request-id': req.id,
        });
        res.write('retry: 1000\n\n');
        const unsubscribe = deps.feed.subscribe((items) => {
          const mine = station === undefined ? items : items.filter((i) => i.stationId === station);
          if (mine.length > 0) res.write(`event: cases\ndata: ${JSON.stringify(mine)}\n\n`);
        });
        const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
        const end = () => {
          if (!streams.delete(end)) return;
          clearInterval(keepalive);
          unsubscribe();
          res.end();
        };
        streams.add(end);
        req.raw.on('close', end);
        res.on('error', end);
      },
    );
  };
}
