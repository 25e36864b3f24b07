import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import * as contract from '../../../contracts/src/index.ts';
import { type AlertEvent, newEventId } from '../../../contracts/src/index.ts';
import { stationScope } from '../auth/index.ts';
import { appendTimeline } from '../cases/case-timeline.ts';
import type { CasesService } from '../cases/index.ts';
import { type Db, isoTime, isoTimeOrNull } from '../db/index.ts';
import { NotFoundError, UserError } from '../errors.ts';
import { embed, errors, IdParams } from '../http/http.schemas.ts';
import { auditOf, principalOf } from '../http/request-context.ts';
import type { NotificationsRepository } from '../notify/index.ts';

/** The gateway id a phone-in case's event names: no device raised it, a person at the desk did. */
export const PHONE_IN_GATEWAY = 'phone-in';

const Time = Type.String({ format: 'date-time' });
const TimeOrNull = Type.Union([Time, Type.Null()]);

const PhoneInBody = Type.Object(
  {
    residentId: Type.String({ minLength: 1, maxLength: 64 }),
    kind: embed(contract.EventKind),
    severity: embed(contract.Severity),
    caller: Type.String({ minLength: 1, maxLength: 100, description: 'who phoned (e.g. 邻居 王先生)' }),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  {
    additionalProperties: false,
    examples: [
      { residentId: '5e1c2d3a', kind: 'fall', severity: 'urgent', caller: '邻居 王先生', note: '听到呼救' },
    ],
  },
);
type PhoneInBody = Static<typeof PhoneInBody>;

const ResidentQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
const ResidentLine = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    address: Type.Union([Type.String(), Type.Null()]),
    stationId: Type.Union([Type.String(), Type.Null()]),
    openCases: Type.Integer(),
  },
  {
    examples: [
      {
        id: '5e1c2d3a',
        name: '李奶奶',
        address: '静安区南京西路1号 3-201',
        stationId: 'jingan',
        openCases: 1,
      },
    ],
  },
);

const WorkerPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,30}$' })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples: [{ active: false }] },
);
const StationQuery = Type.Object(
  { stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);

const ReferralBody = Type.Object(
  {
    toStationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    agency: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'e.g. 120, 派出所, 居委会' }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false, examples: [{ agency: '静安区中心医院', reason: '需要医疗护理' }] },
);
type ReferralBody = Static<typeof ReferralBody>;

export const Referral = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    kind: Type.String(),
    residentName: Type.String(),
    caseStatus: Type.String(),
    fromStationId: Type.Union([Type.String(), Type.Null()]),
    toStationId: Type.Union([Type.String(), Type.Null()]),
    agency: Type.Union([Type.String(), Type.Null()]),
    reason: Type.String(),
    referredBy: Type.String(),
    createdAt: Time,
    acceptedBy: Type.Union([Type.String(), Type.Null()]),
    acceptedAt: TimeOrNull,
  },
  {
    examples: [
      {
        id: '9a8b7c6d-0000-4000-8000-000000000001',
        caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        kind: 'fall',
        residentName: '李奶奶',
        caseStatus: 'on_site',
        fromStationId: 'jingan',
        toStationId: null,
        agency: '静安区中心医院',
        reason: '需要医疗护理',
        referredBy: 'desk-wang',
        createdAt: '2024-05-06T19:30:00.000Z',
        acceptedBy: null,
        acceptedAt: null,
      },
    ],
  },
);

const ComplaintStatus = Type.Union(['open', 'in_progress', 'answered', 'closed'].map((s) => Type.Literal(s)));
export const ComplaintItem = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    residentName: Type.String(),
    source: Type.String(),
    text: Type.Union([Type.String(), Type.Null()]),
    score: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Time,
    owner: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    dueAt: TimeOrNull,
    replyText: Type.Union([Type.String(), Type.Null()]),
    repliedAt: TimeOrNull,
    complainantPhone: Type.Union([Type.String(), Type.Null()]),
  },
  {
    examples: [
      {
        id: '7e6d5c4b-0000-4000-8000-000000000003',
        caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        residentName: '李奶奶',
        source: 'duty_desk',
        text: '社工到得太晚',
        score: null,
        createdAt: '2024-05-07T02:00:00.000Z',
        owner: 'sup-li',
        status: 'in_progress',
        dueAt: '2024-05-09T02:00:00.000Z',
        replyText: null,
        repliedAt: null,
        complainantPhone: '+8613800000001',
      },
    ],
  },
);
const ComplaintPatch = Type.Object(
  {
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    status: Type.Optional(ComplaintStatus),
    dueAt: Type.Optional(Time),
    complainantPhone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })),
  },
  {
    additionalProperties: false,
    examples: [{ owner: 'sup-li', status: 'in_progress', dueAt: '2024-05-09T02:00:00Z' }],
  },
);
const ReplyBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false, examples: [{ text: '您好，我们已调整排班，今后15分钟内到达。' }] },
);

interface ComplaintRow {
  id: string;
  case_id: string;
  resident_name: string;
  station_id: string | null;
  source: string;
  text: string | null;
  score: number | null;
  created_at: Date;
  owner: string | null;
  status: string;
  due_at: Date | null;
  reply_text: string | null;
  replied_at: Date | null;
  complainant_phone: string | null;
  guardian_id: string | null;
  guardian_phone: string | null;
  guardian_language: 'zh-CN' | 'en' | null;
}
const toComplaint = (r: ComplaintRow) => ({
  id: r.id,
  caseId: r.case_id,
  residentName: r.resident_name,
  source: r.source,
  text: r.text,
  score: r.score === null ? null : Number(r.score),
  createdAt: isoTime(r.created_at),
  owner: r.owner,
  status: r.status,
  dueAt: isoTimeOrNull(r.due_at),
  replyText: r.reply_text,
  repliedAt: isoTimeOrNull(r.replied_at),
  complainantPhone: r.complainant_phone ?? r.guardian_phone,
});
const COMPLAINTS_SQL = `SELECT k.*, r.name AS resident_name, r.station_id, g.phone AS guardian_phone,
    g.language AS guardian_language
  FROM complaints k JOIN cases c ON c.id = k.case_id JOIN residents r ON r.id = c.resident_id
  LEFT JOIN guardians g ON g.id = k.guardian_id`;

/**
 * What the duty desk does beyond one case's steps: open a case by hand when a neighbour phones in,
 * refer a case (转介) to another station or an outside agency with a record, and see complaints through
 * to a reply texted to the complainant. Station people see their station's only (404 otherwise).
 */
export function workflowRoutes(deps: {
  db: Db;
  service: CasesService;
  notifications: NotificationsRepository;
  channel: string;
  /** Level 1 for a case just opened (response/first-response.queue.ts `respond`). */
  respond: (caseId: string) => void;
  onNotifications: (ids: string[]) => void;
  now?: () => Date;
}): FastifyPluginAsync {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  const complaintOf = async (req: FastifyRequest, id: string): Promise<ComplaintRow> => {
    const station = stationScope(principalOf(req));
    const { rows } = await db.query<ComplaintRow>(`${COMPLAINTS_SQL} WHERE k.id = $1`, [id]);
    const row = rows[0];
    if (!row || (station !== undefined && row.station_id !== station)) {
      throw new NotFoundError('CLOUD_COMPLAINT_NOT_FOUND', `complaint ${id} not found`);
    }
    return row;
  };

  return async (app) => {
    app.post<{ Body: PhoneInBody }>(
      '/console-api/cases',
      {
        schema: {
          tags: ['console'],
          summary: 'Open a case by hand (someone phoned the desk)',
          description:
            'Recorded as an event of the resident from the gateway `phone-in`, with the caller and the desk ' +
            'operator as evidence; then the same response as an alert (level 1 dispatch, timers). A case of ' +
            'that kind already open for the resident gets the event appended instead (opened: false).',
          body: PhoneInBody,
          response: {
            201: Type.Object(
              { caseId: Type.String(), opened: Type.Boolean() },
              { examples: [{ caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f', opened: true }] },
            ),
            ...errors('CLOUD_RESIDENT_NOT_FOUND'),
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        const b = req.body;
        const at = now().toISOString();
        const ev: AlertEvent = {
          schema: contract.EVENT_SCHEMA_VERSION,
          id: newEventId(),
          gatewayId: PHONE_IN_GATEWAY,
          residentId: b.residentId,
          kind: b.kind,
          severity: b.severity,
          occurredAt: at,
          detectedAt: at,
          evidence: {
            source: 'phone',
            caller: b.caller,
            takenBy: p.sub,
            ...(b.note ? { note: b.note } : {}),
          },
        };
        const out = await deps.service.recordEvent(ev);
        if (out.status !== 'stored') throw new Error('a fresh event id was taken');
        auditOf(req).set({ targetId: out.caseId, detail: { kind: b.kind, opened: out.opened } });
        if (out.opened) deps.respond(out.caseId);
        req.log.info({ caseId: out.caseId, opened: out.opened }, 'phone-in case recorded');
        return reply.code(201).send({ caseId: out.caseId, opened: out.opened });
      },
    );

    app.get<{ Querystring: Static<typeof ResidentQuery> }>(
      '/console-api/residents',
      {
        schema: {
          tags: ['console'],
          summary: "Find the station's residents by name, address or id (the phone-in form, the registry)",
          querystring: ResidentQuery,
          response: { 200: Type.Object({ items: Type.Array(ResidentLine) }) },
        },
      },
      async (req) => {
        const station = stationScope(principalOf(req));
        const q = req.query.q?.trim() ?? '';
        const { rows } = await db.query<{
          id: string;
          name: string;
          address: string | null;
          station_id: string | null;
          open_cases: number;
        }>(
          `SELECT r.id, r.name, r.address, r.station_id,
             (SELECT count(*) FROM cases c WHERE c.resident_id = r.id
                AND c.status NOT IN ('resolved', 'closed', 'cancelled', 'false_alarm'))::int AS open_cases
           FROM residents r
           WHERE ($1::text IS NULL OR r.station_id = $1)
             AND ($2 = '' OR r.name ILIKE '%' || $2 || '%' OR r.address ILIKE '%' || $2 || '%' OR r.id = $2)
           ORDER BY r.name, r.id LIMIT $3`,
          [station ?? null, q.replace(/[%_\\]/g, ''), req.query.limit],
        );
        auditOf(req).set({ detail: { count: rows.length } });
        return {
          items: rows.map((r) => ({
            id: r.id,
            name: r.name,
            address: r.address,
            stationId: r.station_id,
            openCases: Number(r.open_cases),
          })),
        };
      },
    );

    app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof WorkerPatch> }>(
      '/console-api/workers/:id',
      {
        schema: {
          tags: ['console'],
          summary: 'Edit a worker (name, phone) or deactivate them (no more dispatches)',
          params: IdParams,
          body: WorkerPatch,
          response: {
            200: Type.Object(
              { id: Type.String(), name: Type.String(), phone: Type.String(), active: Type.Boolean() },
              { examples: [{ id: 'w-zhang', name: '张社工', phone: '+8613900000001', active: false }] },
            ),
            ...errors('CLOUD_WORKER_NOT_FOUND'),
          },
        },
      },
      async (req) => {
        const b = req.body;
        const audit = auditOf(req);
        audit.set({ detail: { ...b } });
        const row = await audit.transaction(async (tx) => {
          const { rows } = await tx.query<{ id: string; name: string; phone: string; active: boolean }>(
            `UPDATE workers SET name = coalesce($2, name), phone = coalesce($3, phone), active = coalesce($4, active)
             WHERE id = $1 RETURNING id, name, phone, active`,
            [req.params.id, b.name ?? null, b.phone ?? null, b.active ?? null],
          );
          if (!rows[0])
            throw new NotFoundError('CLOUD_WORKER_NOT_FOUND', `worker ${req.params.id} not found`);
          return rows[0];
        });
        return row;
      },
    );

    app.get<{ Querystring: Static<typeof StationQuery> }>(
      '/console-api/workers',
      {
        schema: {
          tags: ['console'],
          summary: "The station's workers with their shifts, active or not",
          querystring: StationQuery,
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  id: Type.String(),
                  stationId: Type.String(),
                  name: Type.String(),
                  phone: Type.String(),
                  active: Type.Boolean(),
                  shifts: Type.Array(Type.Unknown()),
                }),
                {
                  examples: [
                    [
                      {
                        id: 'w-zhang',
                        stationId: 'jingan',
                        name: '张社工',
                        phone: '+8613900000001',
                        active: true,
                        shifts: [],
                      },
                    ],
                  ],
                },
              ),
            }),
          },
        },
      },
      async (req) => {
        const station = stationScope(principalOf(req)) ?? req.query.stationId ?? null;
        const { rows } = await db.query<{
          id: string;
          station_id: string;
          name: string;
          phone: string;
          active: boolean;
          shifts: unknown[];
        }>(
          `SELECT w.id, w.station_id, w.name, w.phone, w.active,
             coalesce((SELECT json_agg(json_build_object('weekdays', s.weekdays, 'start', s.start_local, 'end', s.end_local))
                       FROM shifts s WHERE s.worker_id = w.id), '[]'::json) AS shifts
           FROM workers w WHERE ($1::text IS NULL OR w.station_id = $1) ORDER BY w.active DESC, w.name LIMIT 1000`,
          [station],
        );
        return {
          items: rows.map((r) => ({
            id: r.id,
            stationId: r.station_id,
            name: r.name,
            phone: r.phone,
            active: r.active,
            shifts: r.shifts,
          })),
        };
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: ReferralBody }>(
      '/console-api/cases/:id/referrals',
      {
        schema: {
          tags: ['console'],
          summary: 'Refer (转介) a case to another station or an outside agency, with a record',
          description:
            'Exactly one of toStationId or agency. The referral is recorded with the reason, by whom and when, ' +
            "on the case timeline (`transferred`) and in the receiving station's referral list. The case stays " +
            "with the resident's station until that station closes it.",
          params: IdParams,
          body: ReferralBody,
          response: {
            201: Referral,
            ...errors('CLOUD_CASE_NOT_FOUND', [409, 'CLOUD_STATION_NOT_FOUND'], 'CLOUD_REFERRAL_TARGET'),
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        const b = req.body;
        if ((b.toStationId === undefined) === (b.agency === undefined)) {
          throw new UserError('CLOUD_REFERRAL_TARGET', 'name exactly one of toStationId or agency', 400);
        }
        const audit = auditOf(req);
        const id = randomUUID();
        const t = now();
        audit.set({
          detail: { referralId: id, toStationId: b.toStationId ?? null, agency: b.agency ?? null },
        });
        try {
          await audit.transaction(async (tx) => {
            const { rows } = await tx.query<{ station_id: string | null }>(
              'SELECT r.station_id FROM cases c JOIN residents r ON r.id = c.resident_id WHERE c.id = $1',
              [req.params.id],
            );
            if (!rows[0]) throw new NotFoundError('CLOUD_CASE_NOT_FOUND', `case ${req.params.id} not found`);
            await tx.query(
              `INSERT INTO case_referrals (id, case_id, from_station_id, to_station_id, agency, reason, referred_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
              [
                id,
                req.params.id,
                rows[0].station_id,
                b.toStationId ?? null,
                b.agency ?? null,
                b.reason,
                p.sub,
                t,
              ],
            );
            await appendTimeline(
              tx,
              req.params.id,
              'transferred',
              {
                referralId: id,
                toStationId: b.toStationId ?? null,
                agency: b.agency ?? null,
                reason: b.reason,
                by: p.sub,
              },
              t,
            );
            await tx.query('UPDATE cases SET updated_at = now() WHERE id = $1', [req.params.id]);
          }, 201);
        } catch (err) {
          if ((err as { code?: string }).code === '23503') {
            throw new UserError('CLOUD_STATION_NOT_FOUND', `station ${b.toStationId} not found`, 409);
          }
          throw err;
        }
        return reply.code(201).send(await referral(id));
      },
    );

    const referral = async (id: string) => (await referrals('k.id = $1', [id]))[0]!;
    const referrals = async (where: string, params: unknown[]) => {
      const { rows } = await db.query<{
        id: string;
        case_id: string;
        kind: string;
        resident_name: string;
        case_status: string;
        from_station_id: string | null;
        to_station_id: string | null;
        agency: string | null;
        reason: string;
        referred_by: string;
        created_at: Date;
        accepted_by: string | null;
        accepted_at: Date | null;
      }>(
        `SELECT k.*, c.kind, c.status AS case_status, r.name AS resident_name
           FROM case_referrals k JOIN cases c ON c.id = k.case_id JOIN residents r ON r.id = c.resident_id
          WHERE ${where} ORDER BY k.created_at DESC LIMIT 500`,
        params,
      );
      return rows.map((r) => ({
        id: r.id,
        caseId: r.case_id,
        kind: r.kind,
        residentName: r.resident_name,
        caseStatus: r.case_status,
        fromStationId: r.from_station_id,
        toStationId: r.to_station_id,
        agency: r.agency,
        reason: r.reason,
        referredBy: r.referred_by,
        createdAt: isoTime(r.created_at),
        acceptedBy: r.accepted_by,
        acceptedAt: isoTimeOrNull(r.accepted_at),
      }));
    };

    app.get(
      '/console-api/referrals',
      {
        schema: {
          tags: ['console'],
          summary: "Referrals (转介) the caller's station made or received, newest first",
          response: { 200: Type.Object({ items: Type.Array(Referral) }) },
        },
      },
      async (req) => {
        const station = stationScope(principalOf(req));
        const items =
          station === undefined
            ? await referrals('true', [])
            : await referrals('(k.from_station_id = $1 OR k.to_station_id = $1)', [station]);
        auditOf(req).set({ detail: { count: items.length } });
        return { items };
      },
    );

    app.get(
      '/console-api/complaints',
      {
        schema: {
          tags: ['console'],
          summary: "Complaints about the station's cases, open ones first by deadline",
          response: { 200: Type.Object({ items: Type.Array(ComplaintItem) }) },
        },
      },
      async (req) => {
        const station = stationScope(principalOf(req));
        const { rows } = await db.query<ComplaintRow>(
          `${COMPLAINTS_SQL} WHERE ($1::text IS NULL OR r.station_id = $1)
           ORDER BY (k.status = 'closed'), k.due_at ASC NULLS LAST, k.created_at DESC LIMIT 500`,
          [station ?? null],
        );
        return { items: rows.map(toComplaint) };
      },
    );

    app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof ComplaintPatch> }>(
      '/console-api/complaints/:id',
      {
        schema: {
          tags: ['console'],
          summary: "Give a complaint an owner, a status, a deadline or the complainant's phone",
          params: IdParams,
          body: ComplaintPatch,
          response: { 200: ComplaintItem, ...errors('CLOUD_COMPLAINT_NOT_FOUND') },
        },
      },
      async (req) => {
        const c = await complaintOf(req, req.params.id);
        const b = req.body;
        const audit = auditOf(req);
        audit.set({ targetId: c.id, targetStationId: c.station_id, detail: { ...b } });
        await audit.transaction(async (tx) => {
          await tx.query(
            `UPDATE complaints SET owner = coalesce($2, owner), status = coalesce($3, status),
               due_at = coalesce($4::timestamptz, due_at), complainant_phone = coalesce($5, complainant_phone)
             WHERE id = $1`,
            [c.id, b.owner ?? null, b.status ?? null, b.dueAt ?? null, b.complainantPhone ?? null],
          );
          await appendTimeline(tx, c.case_id, 'complaint_updated', {
            complaintId: c.id,
            ...b,
            by: principalOf(req).sub,
          });
        });
        return toComplaint(await complaintOf(req, c.id));
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ReplyBody> }>(
      '/console-api/complaints/:id/reply',
      {
        schema: {
          tags: ['console'],
          summary: 'Answer a complaint: the reply is texted to the complainant and the complaint is answered',
          params: IdParams,
          body: ReplyBody,
          response: {
            200: ComplaintItem,
            ...errors('CLOUD_COMPLAINT_NOT_FOUND', 'CLOUD_COMPLAINT_NO_PHONE'),
          },
        },
      },
      async (req) => {
        const c = await complaintOf(req, req.params.id);
        const phone = c.complainant_phone ?? c.guardian_phone;
        if (!phone) {
          throw new UserError(
            'CLOUD_COMPLAINT_NO_PHONE',
            'no phone to text the reply to: set complainantPhone',
            409,
          );
        }
        const p = principalOf(req);
        const audit = auditOf(req);
        audit.set({ targetId: c.id, targetStationId: c.station_id });
        const language = c.guardian_language ?? 'zh-CN';
        const body =
          language === 'zh-CN'
            ? `【安居·投诉回复】${req.body.text}`
            : `[Anju reply to your complaint] ${req.body.text}`;
        const t = now();
        const notificationId = await audit.transaction(async (tx) => {
          const id = await deps.notifications.insertPending(tx, {
            caseId: c.case_id,
            recipientPhone: phone,
            language,
            body,
            channel: deps.channel,
            recipientRole: 'guardian',
            ...(c.guardian_id ? { recipientId: c.guardian_id } : {}),
            // No message type: free text from the desk, which no provider template (Aliyun) can carry.
          });
          await tx.query(
            `UPDATE complaints SET reply_text = $2, replied_at = $3, replied_by = $4, status = 'answered' WHERE id = $1`,
            [c.id, req.body.text, t, p.sub],
          );
          await appendTimeline(
            tx,
            c.case_id,
            'complaint_updated',
            { complaintId: c.id, status: 'answered', by: p.sub },
            t,
          );
          return id;
        });
        deps.onNotifications([notificationId]);
        return toComplaint(await complaintOf(req, c.id));
      },
    );
  };
}
