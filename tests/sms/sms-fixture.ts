/**
 * The cloud in-process with the real SMS channels pointed at the fake providers on loopback
 * (tools/harness/fake-sms). Twilio signs webhooks over the PUBLIC URL it was given; the fake then
 * delivers to the cloud's ephemeral port, like a reverse proxy would.
 */
import { topics } from '../../contracts/src/index.ts';
import { type AliyunFake, startAliyunFake } from '../../tools/harness/fake-sms/aliyun.fake.ts';
import { startTwilioFake, type TwilioFake } from '../../tools/harness/fake-sms/twilio.fake.ts';
import {
  alertEvent,
  type Backend,
  type Home,
  startTestCloud,
  type TestCloud,
  type TestCloudOptions,
  waitFor,
} from '../cloud/cloud-fixture.ts';

export const PUBLIC_BASE = 'https://anju.example.com';
export const TWILIO = {
  accountSid: `AC${'a1'.repeat(16)}`,
  authToken: 'twilio-test-auth-token-0123456789',
  from: '+14155550100',
};
export const ALIYUN = {
  accessKeyId: 'LTAI5tTestAccessKeyId',
  accessKeySecret: 'aliyun-test-secret-0123456789',
  signName: '安居',
  templateCode: 'SMS_460000001',
  templateCodeEn: 'SMS_460000002',
  // Every other kind of text has its own template per language (aliyun-templates.ts).
  templates: {
    guardian_emergency: { 'zh-CN': 'SMS_460000003', en: 'SMS_460000004' },
    worker_dispatch: { 'zh-CN': 'SMS_460000005', en: 'SMS_460000006' },
    supervisor_escalation: { 'zh-CN': 'SMS_460000007', en: 'SMS_460000008' },
    duty_desk_emergency: { 'zh-CN': 'SMS_460000009', en: 'SMS_460000010' },
    survey: { 'zh-CN': 'SMS_460000011', en: 'SMS_460000012' },
  },
  webhookToken: 'aliyun-push-token-abcdefghijklmnop',
};
/** The variables each registered template declares, as the console holds them (cloud/README.md). */
const TEMPLATE_VARS = ['name', 'event', 'time', 'ref'];
const STAFF_VARS = ['event', 'name', 'address', 'time', 'ref'];
export const ALIYUN_REGISTERED: Record<string, readonly string[]> = {
  [ALIYUN.templateCode]: TEMPLATE_VARS,
  [ALIYUN.templateCodeEn]: TEMPLATE_VARS,
  ...Object.fromEntries(
    Object.entries(ALIYUN.templates).flatMap(([type, codes]) => {
      const vars =
        type === 'guardian_emergency'
          ? TEMPLATE_VARS
          : type === 'survey'
            ? ['name', 'event', 'ref']
            : type === 'supervisor_escalation'
              ? [...STAFF_VARS, 'assignee']
              : STAFF_VARS;
      return Object.values(codes).map((code) => [code, vars]);
    }),
  ),
};

const WEEK_S = 7 * 86_400;
/** Escalation kept out of the way (every deadline a week off) for suites that are not about deadlines. */
export const QUIET_ESCALATION = {
  pollIntervalMs: 60_000,
  deadlines: Object.fromEntries(
    ['default', 'fall', 'fall/critical', 'sos'].map((k) => [
      k,
      { ackS: WEEK_S, level2S: WEEK_S, level3S: WEEK_S },
    ]),
  ),
};

export interface SmsWorld {
  t: TestCloud;
  twilio: TwilioFake;
  aliyun: AliyunFake;
  close(): Promise<void>;
}

export async function startSmsWorld(
  backend: Backend,
  guardianChannel: 'twilio-sms' | 'aliyun-sms',
  /** More config (deep-merged) and a hand-moved clock, for suites built on this world. */
  more: Pick<TestCloudOptions, 'clock' | 'config'> = {},
): Promise<SmsWorld> {
  let cloudUrl = '';
  const twilio = await startTwilioFake({
    accountSid: TWILIO.accountSid,
    authToken: TWILIO.authToken,
    numbers: [TWILIO.from],
    route: (publicUrl) => publicUrl.replace(PUBLIC_BASE, cloudUrl),
  });
  const aliyun = await startAliyunFake({
    accessKeyId: ALIYUN.accessKeyId,
    accessKeySecret: ALIYUN.accessKeySecret,
    signNames: [ALIYUN.signName],
    templates: ALIYUN_REGISTERED,
  });
  const t = await startTestCloud(backend, {
    ...(more.clock ? { clock: more.clock } : {}),
    config: {
      ...more.config,
      notify: {
        guardianChannel,
        providers: {
          twilio: { ...TWILIO, baseUrl: twilio.baseUrl, publicWebhookBaseUrl: PUBLIC_BASE },
          aliyun: { ...ALIYUN, endpoint: aliyun.endpoint },
          retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
        },
      },
    },
  });
  cloudUrl = t.cloud.httpUrl;
  return {
    t,
    twilio,
    aliyun,
    async close() {
      await t.close();
      await twilio.close();
      await aliyun.close();
    },
  };
}

/** Publishes an urgent fall for `home` and waits for the case it opens. */
export async function openCase(t: TestCloud, home: Home): Promise<string> {
  const c = await t.connectGateway(home.gatewayId, home.secret);
  await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(alertEvent(home)), { qos: 1 });
  const cases = await waitFor(
    async () => {
      const r = await t.api('GET', `/cases?residentId=${home.residentId}`);
      return r.body.items?.length > 0 ? r.body.items : undefined;
    },
    10_000,
    'case opened',
  );
  return cases[0].id as string;
}

export interface SmsRow {
  id: string;
  status: string;
  error: string | null;
  sms_provider: string | null;
  sms_message_id: string | null;
  sms_attempts: number;
  sms_error_code: string | null;
  sms_delivery_status: string | null;
  sms_delivery_at: Date | null;
}

/** The case's notifications once none is pending or sending. */
export function settledTexts(t: TestCloud, caseId: string): Promise<SmsRow[]> {
  return waitFor(
    async () => {
      const { rows } = await t.db.query<SmsRow>(
        `SELECT id, status, error, sms_provider, sms_message_id, sms_attempts, sms_error_code,
                sms_delivery_status, sms_delivery_at
         FROM notifications WHERE case_id = $1 ORDER BY created_at`,
        [caseId],
      );
      return rows.length > 0 && rows.every((r) => r.status === 'sent' || r.status === 'failed')
        ? rows
        : undefined;
    },
    10_000,
    'notifications settled',
  );
}
