import { createAuditRepository } from '../audit/index.ts';
import {
  casesRoutes,
  createServiceQualityRepository,
  guardianCasesRoutes,
  serviceQualityRoutes,
} from '../cases/index.ts';
import type { Clock } from '../clock.ts';
import type { CloudConfig } from '../config/index.ts';
import {
  type ConsoleUsersRepository,
  consoleAuthRoutes,
  consoleStaticRoutes,
  linkRoutes,
  queueRoutes,
  workflowRoutes,
} from '../console/index.ts';
import type { Db } from '../db/index.ts';
import { createEnrolmentRepository, createEnrolmentService, enrolmentRoutes } from '../enrolment/index.ts';
import { gatewaysRoutes } from '../gateways/index.ts';
import { auditRoutes, type HttpRoutes, healthRoutes } from '../http/index.ts';
import type { Logger } from '../log/logger.ts';
import type { CloudMetrics } from '../metrics/index.ts';
import {
  gatewayModelsRoutes,
  type ModelsRepository,
  type ModelsService,
  modelsRoutes,
} from '../models/index.ts';
import type { CloudBroker } from '../mqtt/index.ts';
import { notificationsRoutes } from '../notify/index.ts';
import { residentsRoutes } from '../residents/index.ts';
import { stationsRoutes } from '../stations/index.ts';
import { maintenanceRoutes } from '../supervision/index.ts';
import { surveysRoutes } from '../surveys/index.ts';
import { type VitalsLimitsRepository, type VitalsLimitsSender, vitalsLimitsRoutes } from '../vitals/index.ts';
import { workersRoutes } from '../workers/index.ts';
import type { ResponsePath } from './response.compose.ts';

/** Every feature's routes (and shared schemas), in the order the HTTP shell registers them. */
export function cloudRoutes(
  config: Readonly<CloudConfig>,
  d: {
    db: Db;
    clock: Clock;
    log: Logger;
    metrics: CloudMetrics;
    path: ResponsePath;
    broker: CloudBroker;
    consoleUsers: ConsoleUsersRepository;
    models: ModelsRepository;
    modelsService: ModelsService;
    vitalsLimits: VitalsLimitsRepository;
    vitalsSender: VitalsLimitsSender;
    smsRoutes: HttpRoutes;
    /** Tells the gateway that raised the case that it was acknowledged. */
    onAcknowledged: (caseId: string) => void;
  },
): HttpRoutes[] {
  const { db, clock, metrics, path, broker, onAcknowledged } = d;
  const { residents, gateways, cases, service, notifications, stations } = path;
  const send = (ids: readonly string[]) => void path.sender.send(ids);
  return [
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
        log: d.log,
      }),
    }),
    casesRoutes({ cases, service, notifications, onAcknowledged, onNotifications: send }),
    guardianCasesRoutes({ db, service, onAcknowledged }),
    stationsRoutes({ stations }),
    workersRoutes({ workers: path.workers }),
    serviceQualityRoutes({ quality: createServiceQualityRepository(db) }),
    notificationsRoutes({ notifications }),
    surveysRoutes({ db, cases, surveys: path.surveys, clock, metrics: path.surveyMetrics }),
    auditRoutes({ audit: createAuditRepository(db) }),
    d.smsRoutes,
    modelsRoutes({ service: d.modelsService, models: d.models }),
    gatewayModelsRoutes({ models: d.models, gateways, metrics }),
    maintenanceRoutes({ db, silence: path.silence, clock }),
    vitalsLimitsRoutes({ limits: d.vitalsLimits, residents, sender: d.vitalsSender }),
    consoleAuthRoutes({ users: d.consoleUsers, secureCookie: config.publicUrl.startsWith('https:') }),
    queueRoutes({ queue: path.queue, feed: path.caseFeed }),
    linkRoutes({ db, links: path.links, cases, service, residents, onAcknowledged, onNotifications: send }),
    workflowRoutes({
      db,
      service,
      notifications,
      channel: config.notify.guardianChannel,
      respond: (caseId) => path.responses.respond(caseId),
      onNotifications: send,
    }),
    consoleStaticRoutes(),
  ];
}
