import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { secretMatcher } from '../../../auth/secret-match.ts';
import { errors } from '../../../http/http.schemas.ts';
import type { InboundReplyService } from '../../inbound/inbound-reply.service.ts';
import type { SmsMetrics } from '../sms.metrics.ts';
import type { SmsLedger } from '../sms-ledger.repository.ts';
import type { AliyunSmsConfig } from '../sms-providers.config.ts';
import { refuse } from '../webhook-reply.ts';
import { ALIYUN_CHANNEL } from './aliyun-sms.notifier.ts';

export const ALIYUN_RECEIPTS_PATH = '/webhooks/sms/aliyun/receipts';
export const ALIYUN_REPLIES_PATH = '/webhooks/sms/aliyun/replies';

// "短信服务 → 开发指南 → 配置HTTP批量推送 / 短信发送状态报告 (SmsReport)": a JSON array per push.
const Receipt = Type.Object({
  phone_number: Type.String({ maxLength: 40 }),
  send_time: Type.Optional(Type.String({ maxLength: 32 })),
  report_time: Type.Optional(Type.String({ maxLength: 32 })),
  success: Type.Boolean(),
  err_code: Type.Optional(Type.String({ maxLength: 64 })),
  err_msg: Type.Optional(Type.String({ maxLength: 200 })),
  sms_size: Type.Optional(Type.Union([Type.String({ maxLength: 8 }), Type.Integer()])),
  biz_id: Type.String({ minLength: 1, maxLength: 64 }),
  out_id: Type.Optional(Type.String({ maxLength: 64 })),
});
// "上行短信消息 (SmsUp)": what a person texted back to our sign's number.
const Reply = Type.Object({
  phone_number: Type.String({ minLength: 3, maxLength: 40 }),
  content: Type.String({ maxLength: 1000 }),
  sign_name: Type.Optional(Type.String({ maxLength: 64 })),
  send_time: Type.String({ maxLength: 32 }),
  dest_code: Type.Optional(Type.String({ maxLength: 32 })),
  sequence_id: Type.Union([Type.Integer(), Type.String({ minLength: 1, maxLength: 32 })]),
});
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });

/** Aliyun prints times as `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8). */
export function aliyunTime(s: string | undefined): Date {
  const m = s && /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(s);
  const d = m ? new Date(`${m[1]}T${m[2]}+08:00`) : new Date();
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

/** The answer Aliyun's push expects; anything else makes it push the batch again. */
const ACCEPTED = { code: 0, msg: '接收成功' };
/** What Aliyun must be answered, or it pushes the batch again. */
const Accepted = Type.Object({ code: Type.Integer(), msg: Type.String() }, { examples: [ACCEPTED] });

/**
 * Aliyun's HTTP batch push of delivery receipts and replies. The push carries no signature, so these
 * URLs hold a secret of ours: `?token=<webhookToken>`, configured in the console with the URL and compared
 * in constant time. A wrong token is refused with 403 and counted. The routes log at warn only, so the
 * token in the URL never reaches a request log line.
 */
export function aliyunWebhookRoutes(deps: {
  config: AliyunSmsConfig;
  ledger: SmsLedger;
  inbound: InboundReplyService;
  metrics: SmsMetrics;
}): FastifyPluginAsync {
  const tokenOk = secretMatcher(deps.config.webhookToken);
  const count = (hook: string, outcome: string, by = 1) =>
    deps.metrics.webhooks.inc({ provider: 'aliyun', hook, outcome }, by);

  return async (app) => {
    app.addHook('preValidation', async (req, reply) => {
      if (tokenOk((req.query as { token?: string } | undefined)?.token)) return;
      const hook = req.routeOptions.url === ALIYUN_REPLIES_PATH ? 'replies' : 'receipts';
      count(hook, 'bad_token');
      req.log.warn({ hook }, 'aliyun webhook refused: wrong token');
      return refuse(reply, 403, 'CLOUD_SMS_BAD_TOKEN', 'this push URL is not valid');
    });

    app.post<{ Body: Static<typeof Receipt>[] }>(
      ALIYUN_RECEIPTS_PATH,
      {
        logLevel: 'warn',
        attachValidation: true,
        schema: {
          tags: ['webhooks'],
          summary: 'Aliyun SmsReport push (delivery receipts); ?token= authenticates',
          security: [],
          querystring: TokenQuery,
          body: Type.Array(Receipt, {
            maxItems: 1000,
            examples: [
              [
                {
                  phone_number: '13800000001',
                  send_time: '2024-05-07 03:00:05',
                  report_time: '2024-05-07 03:00:09',
                  success: true,
                  err_code: 'DELIVERED',
                  err_msg: '用户接收成功',
                  sms_size: '1',
                  biz_id: '932702304080415357^0',
                  out_id: '9d8e7f6a-0000-4000-8000-000000000002',
                },
              ],
            ],
          }),
          response: { 200: Accepted, ...errors('CLOUD_SMS_BAD_TOKEN', 'CLOUD_SMS_WEBHOOK_INVALID') },
        },
      },
      async (req, reply) => {
        if (req.validationError) {
          count('receipts', 'invalid');
          return refuse(reply, 400, 'CLOUD_SMS_WEBHOOK_INVALID', req.validationError.message);
        }
        for (const r of req.body) {
          const hit = await deps.ledger.receipt({
            provider: ALIYUN_CHANNEL,
            // out_id is our notification id, but only if it is one of ours (a foreign OutId matches nothing).
            notificationId: r.out_id || undefined,
            messageId: r.biz_id,
            status: r.success ? 'delivered' : 'undelivered',
            errorCode: r.success ? undefined : (r.err_code ?? 'UNKNOWN'),
            at: aliyunTime(r.report_time),
          });
          count('receipts', hit ? 'ok' : 'unmatched');
        }
        return ACCEPTED;
      },
    );

    app.post<{ Body: Static<typeof Reply>[] }>(
      ALIYUN_REPLIES_PATH,
      {
        logLevel: 'warn',
        attachValidation: true,
        schema: {
          tags: ['webhooks'],
          summary: 'Aliyun SmsUp push (texts people sent back); ?token= authenticates',
          security: [],
          querystring: TokenQuery,
          body: Type.Array(Reply, {
            maxItems: 1000,
            examples: [
              [
                {
                  phone_number: '13800000001',
                  send_time: '2024-05-07 03:01:00',
                  content: '收到',
                  sign_name: '安居',
                  dest_code: '1234',
                  sequence_id: 1234567,
                },
              ],
            ],
          }),
          response: { 200: Accepted, ...errors('CLOUD_SMS_BAD_TOKEN', 'CLOUD_SMS_WEBHOOK_INVALID') },
        },
      },
      async (req, reply) => {
        if (req.validationError) {
          count('replies', 'invalid');
          return refuse(reply, 400, 'CLOUD_SMS_WEBHOOK_INVALID', req.validationError.message);
        }
        for (const m of req.body) {
          // Aliyun cannot carry an answer in the push response, and a help text would need its own
          // approved template: replies over Aliyun are acted on but not answered (see README).
          const r = await deps.inbound.handle({
            provider: ALIYUN_CHANNEL,
            providerMessageId: String(m.sequence_id),
            fromPhone: m.phone_number,
            to: m.dest_code,
            body: m.content,
            receivedAt: aliyunTime(m.send_time),
          });
          deps.metrics.inbound.inc({ provider: 'aliyun', outcome: r.outcome });
          count('replies', 'ok');
        }
        return ACCEPTED;
      },
    );
  };
}
