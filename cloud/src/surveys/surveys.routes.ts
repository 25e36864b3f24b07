import { type Static, Type } from '@sinclair/typebox';
import { appendTimeline } from '../cases/case-timeline.ts';
import type { CasesRepository } from '../cases/cases.repository.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { NotFoundError } from '../errors.ts';
import { errors, IdParams } from '../http/http.schemas.ts';
import { type HttpFeature, withSchemas } from '../http/http-feature.ts';
import { auditOf } from '../http/request-context.ts';
import type { SurveyMetrics } from './survey.metrics.ts';
import type { SurveysRepository } from './surveys.repository.ts';
import { Complaint, CreateComplaintBody, Survey } from './surveys.schemas.ts';

/** A case's surveys and complaints; the duty desk records complaints that come by phone. */
export function surveysRoutes(deps: {
  db: Db;
  cases: CasesRepository;
  surveys: SurveysRepository;
  clock: Clock;
  metrics: SurveyMetrics;
}): HttpFeature {
  const { cases, surveys } = deps;
  const mustExist = async (id: string) => {
    if (!(await cases.get(id))) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${id} not found`);
  };
  return withSchemas([Survey, Complaint], async (app) => {
    app.get<{ Params: Static<typeof IdParams> }>(
      '/cases/:id/surveys',
      {
        schema: {
          tags: ['surveys'],
          summary: "The satisfaction surveys texted to the case's guardians, with their answers",
          params: IdParams,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Survey')) }),
            ...errors('CLOUD_CASE_NOT_FOUND'),
          },
        },
      },
      async (req) => {
        await mustExist(req.params.id);
        return { items: await surveys.ofCase(req.params.id) };
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/cases/:id/complaints',
      {
        schema: {
          tags: ['surveys'],
          summary: 'Complaints about a case: low scores, words sent back after a survey, and desk records',
          params: IdParams,
          response: {
            200: Type.Object({ items: Type.Array(Type.Ref('Complaint')) }),
            ...errors('CLOUD_CASE_NOT_FOUND'),
          },
        },
      },
      async (req) => {
        await mustExist(req.params.id);
        return { items: await surveys.complaintsOf(req.params.id) };
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: CreateComplaintBody }>(
      '/cases/:id/complaints',
      {
        schema: {
          tags: ['surveys'],
          summary: 'Record a complaint about a case (the duty desk, e.g. after a phone call)',
          params: IdParams,
          body: CreateComplaintBody,
          response: { 201: Type.Ref('Complaint'), ...errors('CLOUD_CASE_NOT_FOUND') },
        },
      },
      async (req, reply) => {
        const now = deps.clock.now();
        const audit = auditOf(req);
        const complaint = await audit.transaction(async (tx) => {
          const c = await cases.lock(tx, req.params.id);
          if (!c) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${req.params.id} not found`);
          const created = await surveys.addComplaint(tx, {
            caseId: c.id,
            source: 'duty_desk',
            text: req.body.text,
            recordedBy: req.body.by,
            at: now,
          });
          await appendTimeline(
            tx,
            c.id,
            'complaint',
            { complaintId: created.id, source: 'duty_desk', by: req.body.by },
            now,
          );
          audit.set({ detail: { complaintId: created.id } });
          return created;
        }, 201);
        deps.metrics.complaints.inc({ source: 'duty_desk' });
        req.log.info({ caseId: complaint.caseId, complaintId: complaint.id }, 'complaint recorded');
        return reply.code(201).send(complaint);
      },
    );
  });
}
