import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { UserError } from '../errors.ts';
import { errors } from '../http/http.schemas.ts';
import type { ServiceQualityRepository } from './service-quality.repository.ts';

const Query = Type.Object(
  {
    stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'cases opened at or after this instant' }),
    ),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'cases opened before this instant' })),
  },
  {
    additionalProperties: false,
    examples: [{ stationId: 'jingan', from: '2024-05-01T00:00:00+08:00', to: '2024-06-01T00:00:00+08:00' }],
  },
);
type Query = Static<typeof Query>;

const Seconds = Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
  description: 'seconds; null = none',
});
const Durations = (what: string) =>
  Type.Object(
    {
      count: Type.Integer({ minimum: 0, description: `cases that reached ${what}` }),
      medianS: Seconds,
      p90S: Seconds,
    },
    { description: `from opening to ${what}; percentiles interpolate linearly between ranks` },
  );
const Count = Type.Integer({ minimum: 0 });
const Figures = {
  cases: Type.Integer({ minimum: 0, description: 'real (non-test) cases opened in the period' }),
  timeToAcknowledge: Durations('the acknowledgement'),
  timeToOnSite: Durations("the worker's arrival"),
  outcomes: Type.Object(
    { active: Count, resolved: Count, closed: Count, cancelled: Count, falseAlarm: Count },
    { description: 'cases by where they are now (closed ones were resolved first)' },
  ),
  satisfaction: Type.Object(
    {
      count: Type.Integer({ minimum: 0, description: 'survey answers' }),
      mean: Type.Union([Type.Number({ minimum: 1, maximum: 5 }), Type.Null()]),
      distribution: Type.Object({ '1': Count, '2': Count, '3': Count, '4': Count, '5': Count }),
    },
    { description: "the guardians' 1-5 survey scores" },
  ),
  complaints: Type.Integer({ minimum: 0, description: 'low scores, words after a survey, desk records' }),
};
const example = {
  cases: 12,
  timeToAcknowledge: { count: 11, medianS: 95, p90S: 170.5 },
  timeToOnSite: { count: 10, medianS: 900, p90S: 1500 },
  outcomes: { active: 1, resolved: 1, closed: 8, cancelled: 0, falseAlarm: 2 },
  satisfaction: { count: 9, mean: 4.22, distribution: { '1': 0, '2': 1, '3': 0, '4': 4, '5': 4 } },
  complaints: 2,
};
const Period = {
  from: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  to: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};
const WorkerQuality = Type.Object({ workerId: Type.String(), stationId: Type.String(), ...Figures });
const StationQuality = Type.Object({ stationId: Type.String(), ...Figures });

/** A period that ends before it starts is the caller's mistake, not an empty answer. */
function period(q: Query): { from: string | null; to: string | null } {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
    throw new UserError('CLOUD_QUALITY_BAD_PERIOD', '`from` must be before `to`', 400);
  }
  return { from: q.from ?? null, to: q.to ?? null };
}

export function serviceQualityRoutes(deps: { quality: ServiceQualityRepository }): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Query }>(
      '/quality/workers',
      {
        schema: {
          tags: ['quality'],
          summary:
            'Service quality per worker over a period: time to acknowledge and to on site, outcomes, satisfaction, complaints',
          description:
            'A case counts for the worker who has it at the end and the station that served it; the period filters by opening time.',
          querystring: Query,
          response: {
            200: Type.Object(
              { ...Period, items: Type.Array(WorkerQuality) },
              {
                examples: [
                  {
                    from: '2024-05-01T00:00:00+08:00',
                    to: null,
                    items: [{ workerId: 'w-zhang', stationId: 'jingan', ...example }],
                  },
                ],
              },
            ),
            ...errors('CLOUD_QUALITY_BAD_PERIOD'),
          },
        },
      },
      async (req) => ({ ...period(req.query), items: await deps.quality.byWorker(req.query) }),
    );
    app.get<{ Querystring: Query }>(
      '/quality/stations',
      {
        schema: {
          tags: ['quality'],
          summary: 'Service quality per station over a period (same figures as per worker)',
          querystring: Query,
          response: {
            200: Type.Object(
              { ...Period, items: Type.Array(StationQuality) },
              { examples: [{ from: null, to: null, items: [{ stationId: 'jingan', ...example }] }] },
            ),
            ...errors('CLOUD_QUALITY_BAD_PERIOD'),
          },
        },
      },
      async (req) => ({ ...period(req.query), items: await deps.quality.byStation(req.query) }),
    );
  };
}
