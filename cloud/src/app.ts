import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../../contracts/src/package-root.ts';
import { createAuthenticator, jwtSettings } from './auth/index.ts';
import { caseTimeline } from './cases/index.ts';
import { type Clock, systemClock } from './clock.ts';
import { startBroker } from './compose/broker.compose.ts';
import { composeGatewayCommands } from './compose/commands.compose.ts';
import { cloudRoutes } from './compose/http.compose.ts';
import { composeChannels } from './compose/notify.compose.ts';
import { composeResponsePath } from './compose/response.compose.ts';
import type { CloudConfig } from './config/index.ts';
import { resolveLimits } from './config/index.ts';
import { createConsoleUsersRepository, createSessionAuth } from './console/index.ts';
import { type Db, migrate, openDb } from './db/index.ts';
import { buildHttpServer } from './http/index.ts';
import type { JobRunner } from './jobs/index.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { type CloudMetrics, createCloudMetrics } from './metrics/index.ts';
import type { CloudBroker } from './mqtt/index.ts';
import { createCaseAckReplyHandler } from './notify/inbound/case-ack.reply-handler.ts';
import type { NotificationSender, NotifierFactory } from './notify/index.ts';
import type { Escalation, FirstResponseQueue } from './response/index.ts';
import { createSurveyReplyTarget } from './surveys/index.ts';
import { startTelemetry, type Telemetry } from './telemetry/index.ts';

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
  /** Sends the texts committed as 'pending' (notify/notification.sender.ts). */
  readonly sender: NotificationSender;
  /** Telemetry to InfluxDB (`enabled: false` when no `influx` block is configured). */
  readonly telemetry: Telemetry;
  /** The jobs on a timer of this replica (escalation timers, surveys, …): `pollNow()` runs what is due. */
  readonly jobs: JobRunner;
  /** First responses of the cases this process opened: `settle()` waits for them and their texts. */
  readonly responses: FirstResponseQueue;
  readonly escalation: Escalation;
  /** Stops accepting MQTT and HTTP, lets in-flight notifications finish, closes the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: config → database (+ migrations) → the response path → MQTT broker → HTTP.
 * Starts in that order and stops in reverse; nothing listens before the database is migrated. Ports may
 * be 0; the bound ones are returned. The wiring itself is in compose/.
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
  const { sms, registry } = composeChannels(config, { log, metrics, extra: opts.notifiers });

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

    const clock = opts.clock ?? systemClock;
    let brokerRef: CloudBroker | undefined;
    let boundHttpUrl = '';
    const path = composeResponsePath(config, {
      db,
      clock,
      log,
      metrics,
      telemetry,
      registry,
      // Behind an external broker this process hears nobody while its link is down: no tick then.
      brokerUp: () => brokerRef === undefined || brokerRef.connectedClients() > 0,
    });
    cleanup.unshift(() => path.sender.close());
    cleanup.unshift(async () => path.caseFeed.close());
    cleanup.unshift(() => path.stop());
    // After the broker (no more heartbeats come), before the database: the last second's heartbeats written.
    cleanup.unshift(() => path.ingest.close());
    const commands = composeGatewayCommands(config, {
      db,
      cases: path.cases,
      metrics,
      log,
      broker: () => broker,
      httpUrl: () => boundHttpUrl,
    });

    const limits = resolveLimits(config.limits);
    const broker = await startBroker(config.mqtt, {
      gateways: path.gateways,
      ingest: path.ingest,
      metrics,
      log,
      onCommandResult: (gatewayId, payload) => commands.modelsService.handleResult(gatewayId, payload),
      maxPayloadBytes: limits.mqttMaxPayloadBytes,
      rateLimit: {
        ratePerS: limits.gatewayMessagesPerS,
        burst: limits.gatewayBurst,
        maxWaitMs: limits.gatewayMaxWaitMs,
      },
      onCommandsSubscribed: commands.onCommandsSubscribed,
    });
    brokerRef = broker;
    cleanup.unshift(() => broker.close());
    // The timer jobs stop before the broker lets go of its gateways: closing 10,000 links takes seconds, and a
    // supervision tick meanwhile would call every gateway whose heartbeat could no longer arrive silent
    // (bench:supervision: 298 false gateway_silent cases during one shutdown). They resume on the next start.
    cleanup.unshift(() => path.jobs.stop());

    // A guardian's or worker's "1"/"OK" by SMS acknowledges like the REST route does.
    sms.attach({
      db,
      timeline: caseTimeline,
      replyHandler: createCaseAckReplyHandler({
        db,
        cases: path.service,
        onAcknowledged: commands.tellGateway,
        dispatch: (ids) => void path.sender.send(ids),
      }),
      replyTargets: [
        createSurveyReplyTarget({
          db,
          surveys: path.surveys,
          config: config.survey,
          clock,
          metrics: path.surveyMetrics,
        }),
      ],
    });

    const consoleUsers = createConsoleUsersRepository(db);
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
      routes: cloudRoutes(config, {
        db,
        clock,
        log,
        metrics,
        path,
        broker,
        consoleUsers,
        ...commands,
        smsRoutes: sms.routes(),
        onAcknowledged: commands.tellGateway,
      }),
    });
    cleanup.unshift(() => http.close());
    await http.listen({ host: config.http.host, port: config.http.port });
    const { port: httpPort } = http.server.address() as AddressInfo;
    const hostForUrl = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const httpUrl = `http://${hostForUrl}:${httpPort}`;
    boundHttpUrl = httpUrl;

    // Messages a previous run committed but did not get to send.
    void path.sender
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
      sender: path.sender,
      telemetry,
      jobs: path.jobs,
      responses: path.responses,
      escalation: path.escalation,
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
