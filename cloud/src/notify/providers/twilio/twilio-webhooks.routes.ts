import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { errors } from '../../../http/http.schemas.ts';
import type { InboundReplyService } from '../../inbound/inbound-reply.service.ts';
import type { SmsMetrics } from '../sms.metrics.ts';
import type { SmsLedger } from '../sms-ledger.repository.ts';
import type { TwilioSmsConfig } from '../sms-providers.config.ts';
import { refuse } from '../webhook-reply.ts';
import { verifyTwilioSignature } from './twilio-signature.ts';
import { TWILIO_CHANNEL, TWILIO_STATUS_PATH } from './twilio-sms.notifier.ts';
import { twimlReply } from './twiml.ts';

export const TWILIO_INBOUND_PATH = '/webhooks/sms/twilio/inbound';

// Twilio sends many more parameters (SmsSid, ApiVersion, NumSegments …); only what we use is required.
const StatusBody = Type.Object(
  {
    MessageSid: Type.String({ pattern: '^(SM|MM)[0-9a-fA-F]{32}$' }),
    MessageStatus: Type.String({ minLength: 1, maxLength: 32 }),
    ErrorCode: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { examples: [{ MessageSid: `SM${'0a'.repeat(16)}`, MessageStatus: 'delivered' }] },
);
const StatusQuery = Type.Object({ n: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) });
const InboundBody = Type.Object(
  {
    MessageSid: Type.String({ pattern: '^(SM|MM)[0-9a-fA-F]{32}$' }),
    From: Type.String({ minLength: 3, maxLength: 40 }),
    To: Type.Optional(Type.String({ maxLength: 40 })),
    Body: Type.String({ maxLength: 1600 }),
  },
  {
    examples: [{ MessageSid: `SM${'0b'.repeat(16)}`, From: '+447700900123', To: '+14155550100', Body: '4' }],
  },
);

/** Twilio MessageStatus ("Message status values") → our delivery states; transient ones are ignored. */
const STATUS: Record<string, 'sent' | 'delivered' | 'undelivered'> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'undelivered',
};

/**
 * Twilio's webhooks: message status callbacks (`StatusCallback`, "Track the message status of outbound
 * messages") and incoming messages (the number's "A message comes in" URL). Both are form-encoded POSTs
 * signed with X-Twilio-Signature; an unsigned or wrongly signed request is refused with 403 and counted,
 * before its body is even validated. Not behind the API bearer token (Twilio cannot send one).
 */
export function twilioWebhookRoutes(deps: {
  config: TwilioSmsConfig;
  ledger: SmsLedger;
  inbound: InboundReplyService;
  metrics: SmsMetrics;
}): FastifyPluginAsync {
  const publicBase = deps.config.publicWebhookBaseUrl.replace(/\/$/, '');
  const pairsOf = new WeakMap<FastifyRequest, [string, string][]>();
  const count = (hook: string, outcome: string) =>
    deps.metrics.webhooks.inc({ provider: 'twilio', hook, outcome });

  return async (app) => {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (req, body, done) => {
        const pairs = [...new URLSearchParams(body as string)];
        pairsOf.set(req, pairs);
        done(null, Object.fromEntries(pairs));
      },
    );

    // Signature first: a forged request learns nothing about what a valid body looks like.
    app.addHook('preValidation', async (req, reply) => {
      const hook = req.routeOptions.url === TWILIO_INBOUND_PATH ? 'inbound' : 'status';
      const ok = verifyTwilioSignature(
        deps.config.authToken,
        publicBase + req.url,
        pairsOf.get(req) ?? [],
        req.headers['x-twilio-signature'] as string | undefined,
      );
      if (!ok) {
        count(hook, 'bad_signature');
        req.log.warn({ hook }, 'twilio webhook refused: bad X-Twilio-Signature');
        return refuse(
          reply,
          403,
          'CLOUD_SMS_BAD_SIGNATURE',
          'X-Twilio-Signature does not match this request',
        );
      }
    });

    app.post<{ Body: Static<typeof StatusBody>; Querystring: Static<typeof StatusQuery> }>(
      TWILIO_STATUS_PATH,
      {
        attachValidation: true,
        schema: {
          tags: ['webhooks'],
          summary: 'Twilio message status callback (signed)',
          security: [],
          querystring: StatusQuery,
          body: StatusBody,
          response: {
            204: Type.Null({ description: 'recorded (or ignored: a transient status)' }),
            ...errors('CLOUD_SMS_BAD_SIGNATURE', 'CLOUD_SMS_WEBHOOK_INVALID'),
          },
        },
      },
      async (req, reply) => {
        if (req.validationError) {
          count('status', 'invalid');
          return refuse(reply, 400, 'CLOUD_SMS_WEBHOOK_INVALID', req.validationError.message);
        }
        const status = STATUS[req.body.MessageStatus];
        if (status) {
          const hit = await deps.ledger.receipt({
            provider: TWILIO_CHANNEL,
            notificationId: req.query.n,
            messageId: req.body.MessageSid,
            status,
            errorCode: req.body.ErrorCode,
            at: new Date(),
          });
          count('status', hit ? 'ok' : 'unmatched');
        } else {
          count('status', 'ignored');
        }
        return reply.code(204).send();
      },
    );

    app.post<{ Body: Static<typeof InboundBody> }>(
      TWILIO_INBOUND_PATH,
      {
        attachValidation: true,
        schema: {
          tags: ['webhooks'],
          summary: 'Twilio incoming message (signed); answers TwiML',
          security: [],
          body: InboundBody,
          produces: ['text/xml'],
          response: {
            200: Type.String({
              description: "TwiML: the answer to text back, in the sender's language (empty for strangers)",
              examples: [
                '<?xml version="1.0" encoding="UTF-8"?><Response><Message>[Anju] Thank you for your rating (4)!</Message></Response>',
              ],
            }),
            ...errors('CLOUD_SMS_BAD_SIGNATURE', 'CLOUD_SMS_WEBHOOK_INVALID'),
          },
        },
      },
      async (req, reply) => {
        if (req.validationError) {
          count('inbound', 'invalid');
          return refuse(reply, 400, 'CLOUD_SMS_WEBHOOK_INVALID', req.validationError.message);
        }
        const r = await deps.inbound.handle({
          provider: TWILIO_CHANNEL,
          providerMessageId: req.body.MessageSid,
          fromPhone: req.body.From,
          to: req.body.To,
          body: req.body.Body,
          receivedAt: new Date(),
        });
        count('inbound', 'ok');
        deps.metrics.inbound.inc({ provider: 'twilio', outcome: r.outcome });
        return reply.type('text/xml; charset=utf-8').send(twimlReply(r.reply));
      },
    );
  };
}
