import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig } from './index.ts';

describe('loadConfig', () => {
  it('starts from defaults: loopback, HTTP 8080, MQTT 1884, embedded PGlite', () => {
    const c = loadConfig({ env: {} });
    expect(c).toEqual(defaultConfig);
    expect(c.mqtt).toEqual({ mode: 'embedded', host: '127.0.0.1', port: 1884 });
    expect(c.database.url).toBeUndefined();
  });

  it('layers file ← env ← overrides, and accepts port 0', () => {
    const c = loadConfig({
      file: { http: { port: 9000 }, mqtt: { host: '0.0.0.0' }, timeZone: 'Europe/London' },
      env: {
        ANJU_HTTP_PORT: '9001',
        ANJU_MQTT_PORT: '0',
        DATABASE_URL: 'postgres://u@h/db',
        LOG_LEVEL: 'debug',
      },
      overrides: { database: { dataDir: '/tmp/x' } },
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(c.mqtt).toEqual({ mode: 'embedded', host: '0.0.0.0', port: 0 });
    expect(c.database).toEqual({ url: 'postgres://u@h/db', dataDir: '/tmp/x' });
    expect(c.logLevel).toBe('debug');
    expect(c.timeZone).toBe('Europe/London');
  });

  it('reports every problem at once, each naming its key', () => {
    let err: unknown;
    try {
      loadConfig({
        file: { http: { port: 70000 }, mqtt: { bogus: true }, logLevel: 'loud' },
        env: { ANJU_MQTT_PORT: 'eighteen', ANJU_API_TOKEN: 'short' },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^http\.port: /m);
    expect(problems).toMatch(/^mqtt\.port \(env ANJU_MQTT_PORT\): expected an integer/m);
    expect(problems).toMatch(/^mqtt\.bogus: Unexpected property/m);
    expect(problems).toMatch(/^logLevel: /m);
    expect(problems).toMatch(/^apiToken: /m);
    expect(problems).not.toContain('short'); // a bad secret is named, never echoed
    expect((err as ConfigError).code).toBe('CLOUD_CONFIG_INVALID');
  });

  it('refuses a config file that is not an object', () => {
    expect(() => loadConfig({ file: [1, 2], env: {} })).toThrow(ConfigError);
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig({ env: {} });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
    expect(() => {
      (c.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('has telemetry off by default and builds the influx block from env', () => {
    expect(loadConfig({ env: {} }).influx).toBeUndefined();
    const c = loadConfig({
      env: {
        ANJU_INFLUX_URL: 'http://127.0.0.1:8086',
        ANJU_INFLUX_DB: 'anju_tel',
        ANJU_INFLUX_PASSWORD: 'tok',
      },
      file: { influx: { url: 'http://ignored:1', batchSize: 100 } },
    });
    expect(c.influx).toEqual({
      url: 'http://127.0.0.1:8086',
      database: 'anju_tel',
      password: 'tok',
      batchSize: 100,
    });
  });

  it('names a bad influx block by key', () => {
    let err: unknown;
    try {
      loadConfig({ env: { ANJU_INFLUX_DB: 'x' }, file: { influx: { maxBufferPoints: 0 } } });
    } catch (e) {
      err = e;
    }
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^influx\.url: /m);
    expect(problems).toMatch(/^influx\.maxBufferPoints: /m);
  });

  it('takes the external-broker settings from env and names each one external mode still needs', () => {
    const c = loadConfig({
      env: {
        ANJU_MQTT_MODE: 'external',
        ANJU_MQTT_URL: 'mqtts://broker.example:8883',
        ANJU_MQTT_PASSWORD: 'cloud-password-0123456789',
        ANJU_MQTT_CLIENT_ID: 'cloud-1',
        ANJU_MQTT_SHARED_GROUP: 'anju',
        ANJU_MQTT_CONSUMERS: '8',
      },
    });
    expect(c.mqtt).toMatchObject({
      mode: 'external',
      url: 'mqtts://broker.example:8883',
      clientId: 'cloud-1',
      sharedGroup: 'anju',
      consumers: 8,
    });
    let err: unknown;
    try {
      loadConfig({ env: { ANJU_MQTT_MODE: 'external' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual([
      'mqtt.url: required when mqtt.mode is external (env ANJU_MQTT_URL)',
      'mqtt.password: required when mqtt.mode is external (env ANJU_MQTT_PASSWORD)',
      'mqtt.clientId: required when mqtt.mode is external (env ANJU_MQTT_CLIENT_ID)',
    ]);
    expect(() => loadConfig({ env: { ANJU_MQTT_MODE: 'cluster' } })).toThrow(/mqtt.mode/);
    expect(() => loadConfig({ env: { ANJU_MQTT_CONSUMERS: '0' } })).toThrow(/mqtt.consumers/);
  });
});
