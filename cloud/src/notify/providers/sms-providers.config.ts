import { type Static, Type } from '@sinclair/typebox';
import { AliyunTemplatesConfig } from './aliyun/aliyun-templates.ts';

/**
 * The `notify.providers` block: credentials and endpoints of the real SMS providers. A provider is
 * registered as a notifier channel (`aliyun-sms`, `twilio-sms`) only when its block is present; select it
 * with `notify.guardianChannel`. Secrets come from env (never from defaults) and are never logged.
 */
export const AliyunSmsConfig = Type.Object(
  {
    accessKeyId: Type.String({
      minLength: 1,
      description: 'RAM AccessKey id (env ANJU_ALIYUN_ACCESS_KEY_ID)',
    }),
    accessKeySecret: Type.String({
      minLength: 1,
      description: 'RAM AccessKey secret (env ANJU_ALIYUN_ACCESS_KEY_SECRET)',
    }),
    signName: Type.String({
      minLength: 1,
      description: '短信签名, approved sign name (env ANJU_ALIYUN_SIGN_NAME)',
    }),
    templateCode: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'approved zh-CN template for guardian alerts, e.g. SMS_123456; shorthand for templates.guardian_alert.zh-CN (env ANJU_ALIYUN_TEMPLATE_CODE)',
      }),
    ),
    templateCodeEn: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'shorthand for templates.guardian_alert.en',
      }),
    ),
    templates: Type.Optional(AliyunTemplatesConfig),
    regionId: Type.Optional(Type.String({ minLength: 1, description: 'default cn-hangzhou' })),
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://[^/]+/?$',
        description: 'dysmsapi base URL; default https://dysmsapi.aliyuncs.com (env ANJU_ALIYUN_ENDPOINT)',
      }),
    ),
    // Aliyun's HTTP batch push carries no signature, so the push URL itself is the credential: at least
    // 24 characters of randomness, compared in constant time.
    webhookToken: Type.String({
      minLength: 24,
      pattern: '^[A-Za-z0-9_-]+$',
      description:
        'secret path segment of the receipt/reply push URLs configured in the Aliyun console (env ANJU_ALIYUN_WEBHOOK_TOKEN)',
    }),
  },
  { additionalProperties: false },
);
export type AliyunSmsConfig = Static<typeof AliyunSmsConfig>;

export const TwilioSmsConfig = Type.Object(
  {
    accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', description: 'env ANJU_TWILIO_ACCOUNT_SID' }),
    authToken: Type.String({ minLength: 1, description: 'env ANJU_TWILIO_AUTH_TOKEN' }),
    from: Type.Optional(
      Type.String({
        pattern: '^\\+[1-9][0-9]{4,14}$',
        description: 'sender number, E.164 (env ANJU_TWILIO_FROM)',
      }),
    ),
    messagingServiceSid: Type.Optional(
      Type.String({ pattern: '^MG[0-9a-fA-F]{32}$', description: 'env ANJU_TWILIO_MESSAGING_SERVICE_SID' }),
    ),
    baseUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^/]+/?$',
        description: 'REST API base URL; default https://api.twilio.com (env ANJU_TWILIO_BASE_URL)',
      }),
    ),
    publicWebhookBaseUrl: Type.String({
      pattern: '^https?://[^?#]+$',
      description:
        'the URL Twilio reaches this service at, e.g. https://anju.example.com; signatures are over it (env ANJU_TWILIO_PUBLIC_WEBHOOK_BASE_URL)',
    }),
  },
  { additionalProperties: false },
);
export type TwilioSmsConfig = Static<typeof TwilioSmsConfig>;

export const SmsRetryConfig = Type.Object(
  {
    // Bounded: the sender gives a send 10 s in all, and a text that cannot go out in that time is
    // better reported failed (escalation takes over) than retried forever.
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 6, description: 'default 4' })),
    baseDelayMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 5_000, description: 'default 400' })),
    maxDelayMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 8_000, description: 'default 3000' })),
  },
  { additionalProperties: false },
);
export type SmsRetryConfig = Static<typeof SmsRetryConfig>;

export const SmsProvidersConfig = Type.Object(
  {
    aliyun: Type.Optional(AliyunSmsConfig),
    twilio: Type.Optional(TwilioSmsConfig),
    retry: Type.Optional(SmsRetryConfig),
  },
  { additionalProperties: false, description: 'real SMS providers; see cloud/README.md "SMS providers"' },
);
export type SmsProvidersConfig = Static<typeof SmsProvidersConfig>;

/** Env variables for the providers block (merged into the config loader's table). */
export const smsEnvOverrides = {
  ANJU_ALIYUN_ACCESS_KEY_ID: { key: 'notify.providers.aliyun.accessKeyId', type: 'string' },
  ANJU_ALIYUN_ACCESS_KEY_SECRET: { key: 'notify.providers.aliyun.accessKeySecret', type: 'string' },
  ANJU_ALIYUN_SIGN_NAME: { key: 'notify.providers.aliyun.signName', type: 'string' },
  ANJU_ALIYUN_TEMPLATE_CODE: { key: 'notify.providers.aliyun.templateCode', type: 'string' },
  ANJU_ALIYUN_ENDPOINT: { key: 'notify.providers.aliyun.endpoint', type: 'string' },
  ANJU_ALIYUN_WEBHOOK_TOKEN: { key: 'notify.providers.aliyun.webhookToken', type: 'string' },
  ANJU_TWILIO_ACCOUNT_SID: { key: 'notify.providers.twilio.accountSid', type: 'string' },
  ANJU_TWILIO_AUTH_TOKEN: { key: 'notify.providers.twilio.authToken', type: 'string' },
  ANJU_TWILIO_FROM: { key: 'notify.providers.twilio.from', type: 'string' },
  ANJU_TWILIO_MESSAGING_SERVICE_SID: { key: 'notify.providers.twilio.messagingServiceSid', type: 'string' },
  ANJU_TWILIO_BASE_URL: { key: 'notify.providers.twilio.baseUrl', type: 'string' },
  ANJU_TWILIO_PUBLIC_WEBHOOK_BASE_URL: {
    key: 'notify.providers.twilio.publicWebhookBaseUrl',
    type: 'string',
  },
} as const;
