import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config.loader.ts';
import { MetricsRegistry } from '../../metrics/metrics.registry.ts';
import { createSmsProviders } from './sms-providers.ts';

const ENV = {
  ANJU_TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  ANJU_TWILIO_AUTH_TOKEN: 'tok',
  ANJU_TWILIO_FROM: '+14155550100',
  ANJU_TWILIO_PUBLIC_WEBHOOK_BASE_URL: 'https://anju.example.com',
  ANJU_ALIYUN_ACCESS_KEY_ID: 'id',
  ANJU_ALIYUN_ACCESS_KEY_SECRET: 'secret',
  ANJU_ALIYUN_SIGN_NAME: '安居',
  ANJU_ALIYUN_TEMPLATE_CODE: 'SMS_1',
  ANJU_ALIYUN_WEBHOOK_TOKEN: 'x'.repeat(24),
};
const deps = () => ({
  log: pino({ level: 'silent' }),
  registry: new MetricsRegistry(),
  timeZone: 'Asia/Shanghai',
});

describe('notify.providers config', () => {
  it('is read from env and registers both channels', () => {
    const config = loadConfig({ env: { ...ENV } });
    expect(config.notify.providers?.twilio?.from).toBe('+14155550100');
    expect(config.notify.providers?.aliyun?.signName).toBe('安居');
    expect(Object.keys(createSmsProviders(config.notify.providers, deps()).notifiers).sort()).toEqual([
      'aliyun-sms',
      'twilio-sms',
    ]);
  });

  it('reports every missing key, naming it but never echoing a secret', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({
        env: { ANJU_ALIYUN_ACCESS_KEY_SECRET: 'very-secret-value', ANJU_ALIYUN_WEBHOOK_TOKEN: 'short' },
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    expect(text).toContain('notify.providers.aliyun.accessKeyId');
    expect(text).toContain('notify.providers.aliyun.webhookToken');
    expect(text).not.toContain('very-secret-value');
  });

  it('refuses Twilio without a sender, and registers nothing without providers', () => {
    const config = loadConfig({ env: { ...ENV, ANJU_TWILIO_FROM: '' } });
    expect(() => createSmsProviders(config.notify.providers, deps())).toThrow(/from.*messagingServiceSid/);
    expect(createSmsProviders(undefined, deps()).notifiers).toEqual({});
  });
});
