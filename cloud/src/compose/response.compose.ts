import {
  caseTimeline,
  createCasesRepository,
  createCasesService,
  createTimersRepository,
} from '../cases/index.ts';
import type { Clock } from '../clock.ts';
import type { CloudConfig } from '../config/index.ts';
import { refusesProcessing } from '../consent/index.ts';
import { createCaseFeed, createLinkSigner, createQueueRepository } from '../console/index.ts';
import type { Db } from '../db/index.ts';
import { createGatewaysRepository } from '../gateways/index.ts';
import { createIngestService } from '../ingest/index.ts';
import { startJobRunner, textingJob } from '../jobs/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import {
  createNotificationSender,
  createNotificationsRepository,
  heldTextsJob,
  type NotifierRegistry,
  pendingTextsJob,
} from '../notify/index.ts';
import { createResidentsRepository } from '../residents/index.ts';
import {
  createCaseNotices,
  createEscalation,
  createFirstResponse,
  createFirstResponseQueue,
  createWorkerChooser,
  escalationTimersJob,
  overdueResponsesJob,
} from '../response/index.ts';
import { createStationsRepository } from '../stations/index.ts';
import {
  createGatewaySilenceJob,
  createGatewaySilenceRepository,
  resolveSupervision,
} from '../supervision/index.ts';
import { createSurveyMetrics, createSurveyScheduler, createSurveysRepository } from '../surveys/index.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { createWorkersRepository } from '../workers/index.ts';

/**
 * The path of an alarm, wired: ingest → cases → the response (first response, escalation, the texts)
 * → the notification sender, and the jobs on a timer that keep it going (escalation timers, overdue
 * responses, surveys, gateway silence, held and pending texts), all run by one job runner.
 */
export function composeResponsePath(
  config: Readonly<CloudConfig>,
  deps: {
    db: Db;
    clock: Clock;
    log: Logger;
    metrics: CloudMetrics;
    telemetry: Telemetry;
    registry: NotifierRegistry;
    /** Behind an external broker: whether it hears any gateway (supervision does not tick while it does not). */
    brokerUp: () => boolean;
  },
) {
  const { db, clock, log, metrics, telemetry } = deps;
  const residents = createResidentsRepository(db);
  const stations = createStationsRepository(db);
  const workers = createWorkersRepository(db);
  const supervision = resolveSupervision(config.supervision);
  const gateways = createGatewaysRepository(db, {
    defaultIntervalS: supervision.defaultHeartbeatIntervalS,
    graceS: supervision.graceS,
  });
  const cases = createCasesRepository(db);
  const timers = createTimersRepository();
  const notifications = createNotificationsRepository(db, caseTimeline);
  const sender = createNotificationSender({ notifications, registry: deps.registry, metrics, log });
  const send = (ids: readonly string[]) => sender.send(ids);

  // Web console (issue 19): texted case links are signed with a key derived from the shared secret.
  const links = createLinkSigner(config.auth?.jwtSecret ?? config.apiToken);
  const queue = createQueueRepository(db);
  const caseFeed = createCaseFeed({ queue, log: log.child({ component: 'case-feed' }) });

  const notices = createCaseNotices({
    links,
    residents,
    notifications,
    channel: config.notify.guardianChannel,
    timeZone: config.timeZone,
    publicUrl: config.publicUrl,
    dutyDesk: config.dispatch.dutyDesk,
  });
  const chooser = createWorkerChooser({ cases, residents, workers, notices, config });
  // Timers are created before the runner exists (ingest may start first); the runner sleeps until due.
  let runner: ReturnType<typeof startJobRunner> | undefined;
  const onTimerCreated = (dueAt: Date) => runner?.wake(dueAt);

  // Satisfaction surveys: scheduled in the closing transaction, sent by a job, answered by SMS.
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
    workers,
    timers,
    assignNextWorker: chooser.assignNextOf,
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
  const firstResponse = createFirstResponse({ db, cases, residents, notices, chooser, clock, log });
  const responses = createFirstResponseQueue({
    firstResponse,
    send,
    drainTexts: () => sender.drain(),
    log,
  });
  const escalation = createEscalation({
    db,
    cases,
    residents,
    stations,
    timers,
    notices,
    chooser,
    config,
    clock,
    log,
    replicaId: `${process.pid}-${crypto.randomUUID().slice(0, 8)}`,
    onTimerCreated,
  });
  // Gateway-silent supervision (issue 16): a job of the same runner.
  const silence = createGatewaySilenceRepository(supervision);
  const silenceJob = createGatewaySilenceJob({
    db,
    silence,
    cases: service,
    config: supervision,
    clock,
    metrics,
    log,
    respond: (caseId) => responses.respond(caseId),
    ...(config.mqtt.mode === 'external' ? { brokerUp: deps.brokerUp } : {}),
  });
  const jobs = startJobRunner({
    jobs: [
      escalationTimersJob(escalation, send),
      textingJob('surveys', () => surveyScheduler.runDue(), send),
      textingJob('gateway-silence', () => silenceJob.runDue(), send),
      overdueResponsesJob(firstResponse, send),
      heldTextsJob(notifications, sender, clock),
      pendingTextsJob(sender),
    ],
    pollIntervalMs: config.escalation.pollIntervalMs,
    clock,
    log,
  });
  runner = jobs;

  const ingest = createIngestService({
    cases: service,
    gateways,
    residents,
    respond: (caseId) => {
      caseFeed.nudge(); // the new case on the desks' screens without waiting for the feed's tick
      responses.respond(caseId);
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

  return {
    residents,
    stations,
    workers,
    gateways,
    cases,
    service,
    notifications,
    sender,
    links,
    queue,
    caseFeed,
    surveys,
    surveyMetrics,
    silence,
    responses,
    escalation,
    jobs,
    ingest,
    /** Stop steps, first first: the runner and the responses, then the sender's texts in flight. */
    async stop(): Promise<void> {
      await jobs.stop();
      await responses.stop();
    },
  };
}

export type ResponsePath = ReturnType<typeof composeResponsePath>;
