import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { EVENT_SCHEMA_VERSION } from '../../contracts/src/index.ts';
import { PACKAGE_ROOT } from '../../contracts/src/package-root.ts';
import { auditRoutes, createAuditRepository } from './audit/index.ts';
import { createAuthenticator, jwtSettings } from './auth/index.ts';
import {
  casesRoutes,
  createCaseNotices,
  createCasesRepository,
  createCasesService,
  createServiceQualityRepository,
  guardianCasesRoutes,
  serviceQualityRoutes,
} from './cases/index.ts';
import { type Clock, systemClock } from './clock.ts';
import type { CloudConfig } from './config/index.ts';
import { ConfigError, resolveLimits } from './config/index.ts';
import { refusesProcessing } from './consent/index.ts';
import {
  consoleAuthRoutes,
  consoleStaticRoutes,
  createCaseFeed,
  createConsoleUsersRepository,
  createLinkSigner,
  createQueueRepository,
  createSessionAuth,
  linkRoutes,
  queueRoutes,
  workflowRoutes,
} from './console/index.ts';
import { type Db, migrate, openDb } from './db/index.ts';
import { createCaseDispatcher } from './dispatch/index.ts';
import { createEnrolmentRepository, createEnrolmentService, enrolmentRoutes } from './enrolment/index.ts';
import {
  createEscalationService,
  createTimersRepository,
  type EscalationService,
  startTimerPoller,
  type TimerPoller,
} from './escalation/index.ts';
import { createGatewaysRepository, gatewaysRoutes } from './gateways/index.ts';
import { buildHttpServer, healthRoutes } from './http/index.ts';
import { createIngestService } from './ingest/index.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { type CloudMetrics, createCloudMetrics } from './metrics/index.ts';
import {
  createModelsRepository,
  createModelsService,
  gatewayModelsRoutes,
  modelsRoutes,
} from './models/index.ts';
import { type CloudBroker, startCloudBroker, startExternalBroker } from './mqtt/index.ts';
import { createCaseAckReplyHandler } from './notify/inbound/case-ack.reply-handler.ts';
import {
  createNotificationDispatcher,
  createNotificationsRepository,
  createNotifierRegistry,
  type NotificationDispatcher,
  type NotifierFactory,
  notificationsRoutes,
} from './notify/index.ts';
import { MESSAGE_TYPES, type MessageType } from './notify/message-types.ts';
import { createSmsProviders } from './notify/providers/sms-providers.ts';
import { createResidentsRepository, residentsRoutes } from './residents/index.ts';
import { createStationsRepository, stationsRoutes } from './stations/index.ts';
import {
  createGatewaySilenceJob,
  createGatewaySilenceRepository,
  maintenanceRoutes,
  resolveSupervision,
} from './supervision/index.ts';
import {
  createSurveyMetrics,
  createSurveyReplyTarget,
  createSurveyScheduler,
  createSurveysRepository,
  surveysRoutes,
} from './surveys/index.ts';
import { startTelemetry, type Telemetry } from './telemetry/index.ts';
import {
  createVitalsLimitsRepository,
  createVitalsLimitsSender,
  vitalsLimitsRoutes,
} from './vitals/index.ts';
import { createWorkersRepository, workersRoutes } from './workers/index.ts';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

export interface StartCloudOptions {
  /** Root logger; defaults to one built from `config.logLevel`. */
  logger?: Logger;
  /** An already-open database (tests: a slow or failing wrapper). The caller keeps ownership: close() leaves it open. */
  db?: Db;
  /** Extra or replacement notifier channels, by name (tests: a failing channel). */
  notifiers?: Readonly<Record<string, NotifierFactory>>;
  /** Where cases and timers read the time (tests: a clock they move by hand). */
  clock?: Clock;
}

export interface RunningCloud {
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly db: Db;
  readonly metrics: CloudMetrics;
  readonly http: FastifyInstance;
  readonly broker: CloudBroker;
  readonly dispatcher: NotificationDispatcher;
  /** Telemetry to InfluxDB (`enabled: false` when no `influx` block is configured). */
  readonly telemetry: Telemetry;
  /** Escalation timers of this replica: `pollNow()` fires what is due by the clock. */
  readonly timers: TimerPoller;
  readonly escalation: EscalationService;
  /** Stops accepting MQTT and HTTP, lets in-flight notifications finish, closes the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: config → database (+ migrations) → services → MQTT broker → HTTP. Starts in
 * that order and stops in reverse; nothing listens before the database is migrated. Ports may be 0;
 * the bound ones are returned.
 */
export async function startCloud(
  config: Readonly<CloudConfig>,
  opts: StartCloudOptions = {},
): Promise<RunningCloud> {
  const log = opts.logger ?? createLogger(config.logLevel);
  // Checked before anything opens: a JWT key too short to be safe stops the start (ConfigError, exit 2).
  const authenticator = createAuthenticator({ apiToken: config.apiToken, jwt: jwtSettings(config.auth) });
  if (authenticator.open) log.warn('REST API is open: set apiToken or auth.jwtSecret (ANJU_JWT_SECRET)');
  const metrics = createCloudMetrics();
  // Real SMS providers (notify.providers): their channels join the registry; `opts.notifiers` still wins.
  const sms = createSmsProviders(config.notify.providers, {
    log,
    registry: metrics.registry,
    timeZone: config.timeZone,
    aliyunMessageTypes: config.notify.guardianChannel === 'aliyun-sms' ? messageTypesSent(config) : [],
  });
  const registry = createNotifierRegistry({ log }, { ...sms.notifiers, ...opts.notifiers });
  if (!registry.channels().includes(config.notify.guardianChannel)) {
    throw new ConfigError([
      `notify.guardianChannel: no notifier named ${config.notify.guardianChannel}; registered: ${registry.channels().join(', ')}`,
    ]);
  }

  const ownsDb = opts.db === undefined;
  const db =
    opts.db ??
    (await openDb(config.database, (err, reason) => {
      metrics.dbErrors.inc({ reason });
      // Each failed statement of an outage says so where it failed; a lost connection is only seen here.
      if (reason === 'connection_lost') log.warn({ err: err.message }, 'database connection lost');
    }));
  const cleanup: (() => Promise<void>)[] = [];
  if (ownsDb) cleanup.push(() => db.close());

  try {
    const applied = await migrate(db);
    log.info(
      { db: db.kind, applied },
      applied.length > 0 ? 'database migrated' : 'database schema up to date',
    );

    // Telemetry stops after the broker and HTTP (cleanup runs in reverse), so their last points are written.
    const telemetry = startTelemetry(config.influx, {
      log,
      counters: {
        written: (n) => metrics.telemetryWritten.inc({}, n),
        dropped: (reason, n) => metrics.telemetryDropped.inc({ reason }, n),
        buffered: (n) => metrics.telemetryBuffered.set(n),
      },
    });
    cleanup.unshift(() => telemetry.close());

    const residents = createResidentsRepository(db);
    const supervision = resolveSupervision(config.supervision);
    const gateways = createGatewaysRepository(db, {
      defaultIntervalS: supervision.defaultHeartbeatIntervalS,
      graceS: supervision.graceS,
    });
    const cases = createCasesRepository(db);
    const notifications = createNotificationsRepository(db);
    const dispatcher = createNotificationDispatcher({ notifications, registry, metrics, log });
    cleanup.unshift(() => dispatcher.close());
    const clock = opts.clock ?? systemClock;
    const stations = createStationsRepository(db);
    const workers = createWorkersRepository(db);
    const timers = createTimersRepository();
    // Web console (issue 19): texted case links are signed with a key derived from the shared secret.
    const links = createLinkSigner(config.auth?.jwtSecret ?? config.apiToken);
    const consoleUsers = createConsoleUsersRepository(db);
    const queue = createQueueRepository(db);
    const caseFeed = createCaseFeed({ queue, log: log.child({ component: 'case-feed' }) });
    cleanup.unshift(async () => caseFeed.close());
    const notices = createCaseNotices({
      links,
      residents,
      notifications,
      channel: config.notify.guardianChannel,
      timeZone: config.timeZone,
      publicUrl: config.publicUrl,
      dutyDesk: config.dispatch.dutyDesk,
    });
    const caseDispatch = createCaseDispatcher({ workers, notices, config });
    // Timers are created before the poller exists (ingest may start first); the poller sleeps until due.
    let poller: TimerPoller | undefined;
    const onTimerCreated = (dueAt: Date) => poller?.wake(dueAt);
    // Satisfaction surveys: scheduled in the closing transaction, sent by the poller, answered by SMS.
    const surveys = createSurveysRepository(db);
    const surveyMetrics = createSurveyMetrics(metrics.registry);
    const surveyScheduler = createSurveyScheduler({
      db,
      surveys,
      residents,
      notifications,
      channel: config.notify.guardianChannel,
      config: config.survey,
      timeZone: config.timeZone,
      clock,
      metrics: surveyMetrics,
      log,
      onTimerCreated,
    });
    const service = createCasesService({
      db,
      cases,
      residents,
      stations,
      workers,
      timers,
      dispatch: caseDispatch,
      metrics,
      config,
      clock,
      telemetry,
      onTimerCreated,
      // No satisfaction survey for a resident who refused data processing (docs/consent.md).
      transitionHooks: [
        async (tx, t) =>
          refusesProcessing((await residents.get(t.case.residentId, tx))?.consent)
            ? []
            : surveyScheduler.onTransition(tx, t),
      ],
    });
    const escalation = createEscalationService({
      db,
      cases,
      residents,
      stations,
      timers,
      notices,
      dispatch: caseDispatch,
      config,
      clock,
      log,
      replicaId: `${process.pid}-${crypto.randomUUID().slice(0, 8)}`,
      onTimerCreated,
    });
    // Gateway-silent supervision (issue 16): a job of the same durable-timer poller.
    const silence = createGatewaySilenceRepository(supervision);
    let brokerRef: CloudBroker | undefined;
    const silenceJob = createGatewaySilenceJob({
      db,
      silence,
      cases: service,
      config: supervision,
      clock,
      metrics,
      log,
      respond: (caseId) => poller?.respond(caseId),
      // Behind an external broker this process hears nobody while its link is down: no tick then.
      ...(config.mqtt.mode === 'external'
        ? { brokerUp: () => brokerRef === undefined || brokerRef.connectedClients() > 0 }
        : {}),
    });
    poller = startTimerPoller({
      escalation,
      dispatcher,
      notifications,
      clock,
      pollIntervalMs: config.escalation.pollIntervalMs,
      log,
      jobs: [surveyScheduler, silenceJob],
    });
    const runningPoller = poller;
    cleanup.unshift(() => runningPoller.stop());
    const ingest = createIngestService({
      cases: service,
      gateways,
      residents,
      respond: (caseId) => {
        caseFeed.nudge(); // the new case on the desks' screens without waiting for the feed's tick
        runningPoller.respond(caseId);
      },
      metrics,
      log,
      telemetry,
      onHeartbeat: (gatewayId, wasSilent) => {
        if (!wasSilent) return;
        void silenceJob
          .heard(gatewayId)
          .catch((err: unknown) =>
            log.warn({ err, gatewayId }, 'could not clear gateway_silent; the next heartbeat tries again'),
          );
      },
    });
    // After the broker (no more heartbeats come), before the database: the last second's heartbeats written.
    cleanup.unshift(() => ingest.close());

    // Model updates (issue 6): the broker and the HTTP address are bound later, hence the late lookups.
    const models = createModelsRepository(db);
    let boundHttpUrl = '';
    const modelsService = createModelsService({
      db,
      models,
      metrics,
      log,
      sendCommand: (gatewayId, command) => broker.publishCommand(gatewayId, command),
      bundleBaseUrl: () => config.modelBundleBaseUrl ?? boundHttpUrl,
    });

    const vitalsLimits = createVitalsLimitsRepository(db);
    const vitalsSender = createVitalsLimitsSender({
      limits: vitalsLimits,
      sendCommand: (gatewayId, command) => broker.publishCommand(gatewayId, command),
      log,
    });

    const limits = resolveLimits(config.limits);
    const broker = await startBroker(config.mqtt, {
      gateways,
      ingest,
      metrics,
      log,
      onCommandResult: (gatewayId, payload) => modelsService.handleResult(gatewayId, payload),
      maxPayloadBytes: limits.mqttMaxPayloadBytes,
      rateLimit: {
        ratePerS: limits.gatewayMessagesPerS,
        burst: limits.gatewayBurst,
        maxWaitMs: limits.gatewayMaxWaitMs,
      },
      onCommandsSubscribed: (gatewayId) => {
        void modelsService.resendPending(gatewayId);
        void vitalsSender.resend(gatewayId);
      },
    });
    brokerRef = broker;
    cleanup.unshift(() => broker.close());

    const tellGateway = (caseId: string) => {
      void (async () => {
        const latest = await cases.latestEvent(caseId);
        if (!latest) return;
        await broker.publishCommand(latest.gatewayId, {
          schema: EVENT_SCHEMA_VERSION,
          id: crypto.randomUUID(),
          type: 'ack',
          eventId: latest.id,
          caseId,
        });
      })().catch((err: unknown) => log.warn({ err, caseId }, 'could not tell the gateway about the ack'));
    };
    // A guardian's or worker's "1"/"OK" by SMS acknowledges like the REST route does.
    sms.attach({
      db,
      replyHandler: createCaseAckReplyHandler({
        db,
        cases: service,
        onAcknowledged: tellGateway,
        dispatch: (ids) => void dispatcher.dispatch(ids),
      }),
      replyTargets: [
        createSurveyReplyTarget({ db, surveys, config: config.survey, clock, metrics: surveyMetrics }),
      ],
    });

    const http = await buildHttpServer({
      log,
      access: {
        db,
        authenticator,
        onAuthFailure: (code) => metrics.apiAuthFailures.inc({ code }),
        session: createSessionAuth(consoleUsers),
      },
      version: pkg.version,
      bodyLimitBytes: limits.httpBodyLimitBytes,
      requestsPerMinute: limits.apiRequestsPerMinute,
      onRateLimited: () => metrics.httpRateLimited.inc(),
      onBadText: (part) => metrics.httpBadText.inc({ part }),
      routes: [
        healthRoutes({ db, broker: () => broker, registry: metrics.registry }),
        residentsRoutes({ residents }),
        gatewaysRoutes({ gateways, residents }),
        enrolmentRoutes({
          enrolment: createEnrolmentService({
            db,
            codes: createEnrolmentRepository(db),
            residents,
            stations,
            config: config.enrolment,
            brokerUrl: () => broker.url,
            registry: metrics.registry,
            log,
          }),
        }),
        casesRoutes({
          cases,
          service,
          notifications,
          onAcknowledged: tellGateway,
          onNotifications: (ids) => void dispatcher.dispatch(ids),
        }),
        guardianCasesRoutes({ db, service, onAcknowledged: tellGateway }),
        stationsRoutes({ stations }),
        workersRoutes({ workers }),
        serviceQualityRoutes({ quality: createServiceQualityRepository(db) }),
        notificationsRoutes({ notifications }),
        surveysRoutes({ db, cases, surveys, clock, metrics: surveyMetrics }),
        auditRoutes({ audit: createAuditRepository(db) }),
        sms.routes(),
        modelsRoutes({ service: modelsService, models }),
        gatewayModelsRoutes({ models, gateways, metrics }),
        maintenanceRoutes({ db, silence, clock }),
        vitalsLimitsRoutes({ limits: vitalsLimits, residents, sender: vitalsSender }),
        consoleAuthRoutes({ users: consoleUsers, secureCookie: config.publicUrl.startsWith('https:') }),
        queueRoutes({ queue, feed: caseFeed }),
        linkRoutes({
          db,
          links,
          cases,
          service,
          residents,
          onAcknowledged: tellGateway,
          onNotifications: (ids) => void dispatcher.dispatch(ids),
        }),
        workflowRoutes({
          db,
          service,
          notifications,
          channel: config.notify.guardianChannel,
          respond: (caseId) => runningPoller.respond(caseId),
          onNotifications: (ids) => void dispatcher.dispatch(ids),
        }),
        consoleStaticRoutes(),
      ],
    });
    cleanup.unshift(() => http.close());
    await http.listen({ host: config.http.host, port: config.http.port });
    const { port: httpPort } = http.server.address() as AddressInfo;
    const hostForUrl = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const httpUrl = `http://${hostForUrl}:${httpPort}`;
    boundHttpUrl = httpUrl;

    // Messages a previous run committed but did not get to send.
    void dispatcher
      .resumePending()
      .catch((err: unknown) => log.warn({ err }, 'could not resume pending notifications'));

    log.info(
      // runtime: dist or tsx, when started by bin/anju-cloud.js (bin/runtime.js)
      { httpUrl, mqttUrl: broker.url, db: db.kind, version: pkg.version, runtime: process.env.ANJU_RUNTIME },
      'cloud ready',
    );

    let closing: Promise<void> | undefined;
    return {
      httpUrl,
      mqttUrl: broker.url,
      httpPort,
      mqttPort: broker.port,
      db,
      metrics,
      http,
      broker,
      dispatcher,
      telemetry,
      timers: runningPoller,
      escalation,
      close() {
        closing ??= runCleanup(cleanup, log).then(() => log.info('cloud stopped'));
        return closing;
      },
    };
  } catch (err) {
    await runCleanup(cleanup, log);
    throw err;
  }
}

/** The embedded aedes broker, or a consumer of an external broker shared with other cloud processes. */
function startBroker(
  mqtt: CloudConfig['mqtt'],
  deps: Omit<Parameters<typeof startCloudBroker>[0], 'host' | 'port'>,
): Promise<CloudBroker> {
  if (mqtt.mode === 'embedded') return startCloudBroker({ host: mqtt.host, port: mqtt.port, ...deps });
  // loadConfig has checked that external mode has its url, password and clientId.
  return startExternalBroker({
    url: mqtt.url!,
    password: mqtt.password!,
    clientId: mqtt.clientId!,
    sharedGroup: mqtt.sharedGroup ?? 'anju-cloud',
    consumers: mqtt.consumers ?? 4,
    caFile: mqtt.caFile,
    rateLimit: deps.rateLimit,
    ingest: deps.ingest,
    metrics: deps.metrics,
    log: deps.log,
    onCommandResult: deps.onCommandResult,
  });
}

/** Every kind of text this configuration can send (all of them go through the guardian channel). */
function messageTypesSent(config: Readonly<CloudConfig>): MessageType[] {
  return MESSAGE_TYPES.filter(
    (t) =>
      (t !== 'survey' || config.survey.enabled) &&
      (!t.startsWith('duty_desk_') || config.dispatch.dutyDesk !== undefined),
  );
}

/** Runs the stop steps in order; one failing step is logged and does not skip the others. */
async function runCleanup(steps: readonly (() => Promise<void>)[], log: Logger): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      log.warn({ err }, 'error while stopping');
    }
  }
}
