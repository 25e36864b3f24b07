import { type Static, Type } from '@sinclair/typebox';
import { AuthConfig, authEnvOverrides } from '../auth/auth.config.ts';
import { DeadlinesSchema } from '../cases/case-deadlines.ts';
import { DatabaseConfig } from '../db/db.config.ts';
import { EnrolmentConfigSchema } from '../enrolment/enrolment.config.ts';
import { SmsProvidersConfig, smsEnvOverrides } from '../notify/providers/sms-providers.config.ts';
import { SupervisionConfig, supervisionEnvOverrides } from '../supervision/supervision.config.ts';
import { defaultSurveyConfig, SurveyConfig, surveyEnvOverrides } from '../surveys/survey.config.ts';
import { LimitsConfig, limitsEnvOverrides } from './limits.config.ts';

const Host = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });
/** 0 = let the OS pick a free port (tests); the bound port is reported by `startCloud`. */
const Port = (description: string) => Type.Integer({ minimum: 0, maximum: 65535, description });

/** A cloud process's client id in external mode (also the stem of its consumers' broker user names). */
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$';

/** external mode: how this process reaches the shared broker (required there, ignored when embedded). */
const ExternalMqttFields = {
  url: Type.Optional(
    Type.String({
      pattern: '^mqtts?://[^/]+/?$',
      description: 'external: broker URL, mqtt:// or mqtts:// (env ANJU_MQTT_URL)',
    }),
  ),
  password: Type.Optional(
    Type.String({
      minLength: 16,
      description:
        "external: the cloud's broker password: each consumer session logs in as its own broker user <clientId>-<n> with it (env ANJU_MQTT_PASSWORD)",
    }),
  ),
  clientId: Type.Optional(
    Type.String({
      pattern: CLIENT_ID_PATTERN,
      description:
        "external: this process's fixed client id, the same across restarts and different for every process; its broker sessions are <clientId>-0 … so a restarted process picks up the messages its predecessor had not acknowledged; each is also the session's broker user, written by mosquitto-config (env ANJU_MQTT_CLIENT_ID)",
    }),
  ),
  sharedGroup: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description:
        'external: shared-subscription group: every cloud process of one deployment uses the same (env ANJU_MQTT_SHARED_GROUP; default anju-cloud)',
    }),
  ),
  // Each MQTT.js connection handles one message at a time when it acknowledges only after the commit, so
  // a process opens several to keep the database busy. Clamped: each is a broker session to look after.
  consumers: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 32,
      description:
        'external: broker connections (sessions) this process consumes on; default 4 (env ANJU_MQTT_CONSUMERS)',
    }),
  ),
  caFile: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'external: CA bundle for an mqtts:// broker with a private CA',
    }),
  ),
};

/** Rules the schema cannot say: what external mode needs. Each problem names its key. */
export function configCrossProblems(config: CloudConfig): string[] {
  if (config.mqtt.mode !== 'external') return [];
  const problems: string[] = [];
  const need = (key: 'url' | 'password' | 'clientId', env: string) => {
    if (config.mqtt[key] === undefined)
      problems.push(`mqtt.${key}: required when mqtt.mode is external (env ${env})`);
  };
  need('url', 'ANJU_MQTT_URL');
  need('password', 'ANJU_MQTT_PASSWORD');
  need('clientId', 'ANJU_MQTT_CLIENT_ID');
  return problems;
}

/**
 * The cloud service's configuration: one YAML/JSON file (`--config`), then environment overrides, then
 * CLI flags. Every option names its env var; units are in the names.
 */
export const CloudConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Host('HTTP listen address (env ANJU_HTTP_HOST)'),
        port: Port('HTTP listen port (env ANJU_HTTP_PORT)'),
      },
      { additionalProperties: false },
    ),
    mqtt: Type.Object(
      {
        mode: Type.Union([Type.Literal('embedded'), Type.Literal('external')], {
          description:
            "'embedded': gateways connect to this process's own aedes broker; 'external': this process consumes from a Mosquitto (or other MQTT 5) broker with a shared subscription, so several cloud processes share the load (env ANJU_MQTT_MODE)",
        }),
        host: Host(
          'embedded: MQTT listen address; loopback by default, put TLS in front when exposed (env ANJU_MQTT_HOST)',
        ),
        port: Port(
          'embedded: MQTT listen port; kept off 1883 so a system Mosquitto can coexist (env ANJU_MQTT_PORT)',
        ),
        ...ExternalMqttFields,
      },
      { additionalProperties: false },
    ),
    database: DatabaseConfig,
    apiToken: Type.Optional(
      Type.String({
        minLength: 16,
        description:
          'shared service token for tools; acts as admin. With neither it nor auth.jwtSecret the API is open (env ANJU_API_TOKEN)',
      }),
    ),
    auth: Type.Optional(AuthConfig),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { description: 'pino log level (env LOG_LEVEL)' },
    ),
    timeZone: Type.String({
      minLength: 1,
      description: 'IANA time zone used to print times in notifications, e.g. Asia/Shanghai',
    }),
    influx: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            pattern: '^https?://[^/]+/?$',
            description:
              'InfluxDB base URL; the v1 write API and InfluxQL are used (InfluxDB 1.8+, 2.x compat, 3.x) (env ANJU_INFLUX_URL)',
          }),
          database: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z0-9_-]{1,64}$',
              description: 'database (v2/v3: the bucket mapped to it); default anju (env ANJU_INFLUX_DB)',
            }),
          ),
          username: Type.Optional(
            Type.String({ minLength: 1, description: 'user, if auth is on (env ANJU_INFLUX_USERNAME)' }),
          ),
          password: Type.Optional(
            Type.String({
              minLength: 1,
              description: 'password or v2/v3 token, if auth is on (env ANJU_INFLUX_PASSWORD)',
            }),
          ),
          batchSize: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 10_000, description: 'points per write; default 500' }),
          ),
          flushIntervalMs: Type.Optional(
            Type.Integer({
              minimum: 10,
              maximum: 60_000,
              description: 'longest a point waits before it is written; default 1000',
            }),
          ),
          // Bounded so an InfluxDB outage costs at most this many points of memory (~200 B each), never the process.
          maxBufferPoints: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1_000_000,
              description:
                'points held while InfluxDB is slow or down; the oldest beyond it are dropped and counted; default 50000',
            }),
          ),
        },
        {
          additionalProperties: false,
          description: 'Telemetry to InfluxDB for the Grafana dashboards; absent = telemetry off',
        },
      ),
    ),
    /** Sizes and rates one client may use (cloud/src/config/limits.config.ts); all optional. */
    limits: Type.Optional(LimitsConfig),
    publicUrl: Type.String({
      pattern: '^https?://',
      description:
        'base URL of the web app; worker texts link to <publicUrl>/cases/<id> (env ANJU_PUBLIC_URL)',
    }),
    modelBundleBaseUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^/?#]+(/[^?#]*)?$',
        description:
          "base URL gateways fetch model bundles from (<base>/gateway-models/…); its host must be the MQTT host gateways use; default: this process's bound HTTP address (env ANJU_MODEL_BUNDLE_BASE_URL)",
      }),
    ),
    dispatch: Type.Object(
      {
        skillsByKind: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
          description: 'event kind → the skill a worker should have for it, e.g. { fall: first_aid }',
        }),
        loadPenaltyKm: Type.Number({
          minimum: 0,
          maximum: 1000,
          description: 'each active case a worker holds counts as this many km of extra distance',
        }),
        dutyDesk: Type.Optional(
          Type.Object(
            {
              name: Type.String({ minLength: 1 }),
              phone: Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,30}$' }),
              language: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
            },
            { additionalProperties: false, description: 'who is told at level 3 to call 120' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    escalation: Type.Object(
      {
        // Clamped: below 50 ms the poll would keep a database busy for nothing; above 60 s timers fire late.
        pollIntervalMs: Type.Integer({
          minimum: 50,
          maximum: 60_000,
          description: 'how often every replica looks for due timers (env ANJU_ESCALATION_POLL_MS)',
        }),
        deadlines: Type.Record(Type.String(), DeadlinesSchema, {
          description: "deadlines by '<kind>/<severity>', '<kind>' or 'default' (first match wins), seconds",
        }),
      },
      { additionalProperties: false },
    ),
    notify: Type.Object(
      {
        guardianChannel: Type.String({
          minLength: 1,
          description: 'registered notifier that texts guardians (see cloud/src/notify/notifier.registry.ts)',
        }),
        providers: Type.Optional(SmsProvidersConfig),
      },
      { additionalProperties: false },
    ),
    survey: SurveyConfig,
    /** Supervision of gateways (issue 16, cloud/src/supervision/). */
    supervision: Type.Optional(SupervisionConfig),
    /** One-time enrolment codes for `anju-gw init` (cloud/src/enrolment/). */
    enrolment: Type.Optional(EnrolmentConfigSchema),
  },
  { additionalProperties: false },
);

export type CloudConfig = Static<typeof CloudConfigSchema>;

export const defaultConfig: CloudConfig = {
  http: { host: '127.0.0.1', port: 8080 },
  mqtt: { mode: 'embedded', host: '127.0.0.1', port: 1884 },
  database: { dataDir: '.data/cloud-db' },
  logLevel: 'info',
  timeZone: 'Asia/Shanghai',
  notify: { guardianChannel: 'sms-log' },
  publicUrl: 'http://127.0.0.1:8080',
  dispatch: { skillsByKind: { fall: 'first_aid', vitals: 'first_aid' }, loadPenaltyKm: 2 },
  escalation: {
    pollIntervalMs: 500,
    deadlines: {
      default: { ackS: 600, level2S: 1800, level3S: 1800 },
      fall: { ackS: 180, level2S: 600, level3S: 600 },
      'fall/critical': { ackS: 120, level2S: 300, level3S: 300 },
      sos: { ackS: 120, level2S: 300, level3S: 300 },
      // A missed dose is worth a call within the hour, not an ambulance: long deadlines.
      medication_missed: { ackS: 1800, level2S: 3600, level3S: 14400 },
      // A technical alarm: the duty desk first; a worker or the installer only after an hour.
      device_health: { ackS: 3600, level2S: 3600, level3S: 14400 },
    },
  },
  survey: defaultSurveyConfig,
};

/** Environment variables and the config key each one overrides. */
export const envOverrides = {
  ANJU_HTTP_HOST: { key: 'http.host', type: 'string' },
  ANJU_HTTP_PORT: { key: 'http.port', type: 'integer' },
  ANJU_MQTT_HOST: { key: 'mqtt.host', type: 'string' },
  ANJU_MQTT_PORT: { key: 'mqtt.port', type: 'integer' },
  ANJU_MQTT_MODE: { key: 'mqtt.mode', type: 'string' },
  ANJU_MQTT_URL: { key: 'mqtt.url', type: 'string' },
  ANJU_MQTT_PASSWORD: { key: 'mqtt.password', type: 'string' },
  ANJU_MQTT_CLIENT_ID: { key: 'mqtt.clientId', type: 'string' },
  ANJU_MQTT_SHARED_GROUP: { key: 'mqtt.sharedGroup', type: 'string' },
  ANJU_MQTT_CONSUMERS: { key: 'mqtt.consumers', type: 'integer' },
  DATABASE_URL: { key: 'database.url', type: 'string' },
  ANJU_DATA_DIR: { key: 'database.dataDir', type: 'string' },
  ANJU_API_TOKEN: { key: 'apiToken', type: 'string' },
  LOG_LEVEL: { key: 'logLevel', type: 'string' },
  ANJU_PUBLIC_URL: { key: 'publicUrl', type: 'string' },
  ANJU_MODEL_BUNDLE_BASE_URL: { key: 'modelBundleBaseUrl', type: 'string' },
  ANJU_ESCALATION_POLL_MS: { key: 'escalation.pollIntervalMs', type: 'integer' },
  ANJU_INFLUX_URL: { key: 'influx.url', type: 'string' },
  ANJU_INFLUX_DB: { key: 'influx.database', type: 'string' },
  ANJU_INFLUX_USERNAME: { key: 'influx.username', type: 'string' },
  ANJU_INFLUX_PASSWORD: { key: 'influx.password', type: 'string' },
  ANJU_MQTT_PUBLIC_URL: { key: 'enrolment.mqttUrl', type: 'string' },
  ...smsEnvOverrides,
  ...surveyEnvOverrides,
  ...limitsEnvOverrides,
  ...authEnvOverrides,
  ...supervisionEnvOverrides,
} as const satisfies Record<string, { key: string; type: 'string' | 'integer' }>;
