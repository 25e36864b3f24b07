import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Paths open without a token: probes, scraping, the API docs, the SMS providers' webhooks (the
 * providers cannot send our token; each route authenticates them their own way: notify/providers/),
 * model bundles for gateways (authenticated by the gateway's own credentials: models/models.routes.ts),
 * and gateway enrolment (the one-time code is the credential: enrolment/).
 */
const OPEN = [
  /^\/health(\?|$)/,
  /^\/metrics(\?|$)/,
  /^\/docs(\/|\?|$)/,
  /^\/webhooks\/sms\//,
  /^\/gateway-models\//,
  /^\/enrol(\?|$)/,
];

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token check for the REST API (one shared token for now; roles/JWT come later). Compares SHA-256
 * digests with timingSafeEqual so neither the content nor the length of the token leaks through timing.
 */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (OPEN.some((re) => re.test(req.url))) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m && timingSafeEqual(digest(m[1]!), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="anju"')
      .send({
        statusCode: 401,
        code: m ? 'CLOUD_AUTH_INVALID_TOKEN' : 'CLOUD_AUTH_MISSING_TOKEN',
        message: m
          ? 'the bearer token is not valid'
          : 'this API needs an Authorization: Bearer <token> header',
      });
  };
}
